//! PNG files small enough to commit: the drawn RGB pixels become an indexed (palette)
//! image, then deflate at its best level.
//!
//! A chart uses a few colours plus the anti-aliased edges of text and markers. The 256
//! most used colours are kept exactly; any rarer one (a faint edge pixel) takes the
//! nearest kept colour. Every step is ordered (ties by colour value), so the same chart
//! gives the same bytes and a rerun with nothing new changes no file.

use std::collections::HashMap;

/// Colours a PNG palette holds.
const PALETTE_SIZE: usize = 256;

/// `rgb` (3 bytes a pixel, `width` × `height`) as an indexed PNG.
pub fn encode(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let (palette, indices) = quantise(rgb);
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(palette.iter().flatten().copied().collect::<Vec<u8>>());
        encoder.set_compression(png::Compression::Best);
        // Flat runs of one index compress best unfiltered.
        encoder.set_filter(png::FilterType::NoFilter);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&indices)
            .map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(bytes)
}

/// The palette (most used colours first) and each pixel's index into it.
pub fn quantise(rgb: &[u8]) -> (Vec<[u8; 3]>, Vec<u8>) {
    let pixels: Vec<[u8; 3]> = rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    let mut counts: HashMap<[u8; 3], u64> = HashMap::new();
    for p in &pixels {
        *counts.entry(*p).or_default() += 1;
    }
    let mut by_use: Vec<([u8; 3], u64)> = counts.into_iter().collect();
    by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let palette: Vec<[u8; 3]> = by_use.iter().take(PALETTE_SIZE).map(|c| c.0).collect();
    let mut index: HashMap<[u8; 3], u8> = palette
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u8))
        .collect();
    let indices = pixels
        .iter()
        .map(|p| *index.entry(*p).or_insert_with(|| nearest(&palette, *p)))
        .collect();
    (palette, indices)
}

/// The index of the palette colour closest to `colour` (the first of equals).
fn nearest(palette: &[[u8; 3]], colour: [u8; 3]) -> u8 {
    let distance = |c: &[u8; 3]| -> i32 {
        (0..3)
            .map(|i| (i32::from(c[i]) - i32::from(colour[i])).pow(2))
            .sum()
    };
    let mut best = (i32::MAX, 0usize);
    for (i, c) in palette.iter().enumerate() {
        let d = distance(c);
        if d < best.0 {
            best = (d, i);
        }
    }
    best.1 as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_colours_are_kept_exactly_and_rare_ones_snap_to_the_nearest() {
        // 300 distinct greys: the 256 most used stay, the rest take a neighbour.
        let mut rgb = Vec::new();
        for v in 0..300u32 {
            let uses = if v < 256 { 3 } else { 1 };
            for _ in 0..uses {
                let g = (v % 256) as u8;
                let b = (v / 256) as u8;
                rgb.extend([g, g, b]);
            }
        }
        let (palette, indices) = quantise(&rgb);
        assert_eq!(palette.len(), 256);
        assert_eq!(palette[usize::from(indices[0])], [0, 0, 0]);
        let last = usize::from(indices[indices.len() - 1]);
        assert_eq!(
            palette[last],
            [43, 43, 0],
            "(43, 43, 1) snaps to (43, 43, 0)"
        );
        let png = encode(&rgb, 1, (rgb.len() / 3) as u32).expect("encodes");
        assert_eq!(encode(&rgb, 1, (rgb.len() / 3) as u32).expect("again"), png);
    }
}
