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
///
/// Counting and looking up go run by run: a chart is mostly flat areas, so its runs of
/// one colour are a few percent of its pixels, and each run is hashed once rather than
/// each pixel (hashing every pixel was most of the time spent drawing a PNG).
pub fn quantise(rgb: &[u8]) -> (Vec<[u8; 3]>, Vec<u8>) {
    let runs = runs(rgb);
    let mut counts: HashMap<[u8; 3], u64> = HashMap::new();
    for &(colour, length) in &runs {
        *counts.entry(colour).or_default() += length as u64;
    }
    let mut by_use: Vec<([u8; 3], u64)> = counts.into_iter().collect();
    by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let palette: Vec<[u8; 3]> = by_use.iter().take(PALETTE_SIZE).map(|c| c.0).collect();
    let mut index: HashMap<[u8; 3], u8> = palette
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u8))
        .collect();
    let mut indices = Vec::with_capacity(rgb.len() / 3);
    for (colour, length) in runs {
        let i = *index
            .entry(colour)
            .or_insert_with(|| nearest(&palette, colour));
        indices.extend(std::iter::repeat_n(i, length));
    }
    (palette, indices)
}

/// The pixels of `rgb` as runs of one colour, in order: (colour, pixels).
fn runs(rgb: &[u8]) -> Vec<([u8; 3], usize)> {
    let mut runs: Vec<([u8; 3], usize)> = Vec::new();
    for p in rgb.chunks_exact(3) {
        let colour = [p[0], p[1], p[2]];
        match runs.last_mut() {
            Some((last, length)) if *last == colour => *length += 1,
            _ => runs.push((colour, 1)),
        }
    }
    runs
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

    /// The per-pixel count and look-up quantise replaced, kept as its specification.
    fn per_pixel(rgb: &[u8]) -> (Vec<[u8; 3]>, Vec<u8>) {
        let pixels: Vec<[u8; 3]> = rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
        let mut counts: HashMap<[u8; 3], u64> = HashMap::new();
        for p in &pixels {
            *counts.entry(*p).or_default() += 1;
        }
        let mut by_use: Vec<([u8; 3], u64)> = counts.into_iter().collect();
        by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let palette: Vec<[u8; 3]> = by_use.iter().take(PALETTE_SIZE).map(|c| c.0).collect();
        let indices = pixels.iter().map(|p| nearest(&palette, *p)).collect();
        (palette, indices)
    }

    #[test]
    fn runs_give_the_palette_and_indices_of_counting_every_pixel() {
        // Runs of every length, a colour split across runs, and over 256 colours so
        // some snap: a pseudo-random walk of a fixed seed.
        let mut rgb = Vec::new();
        let mut state = 12345u32;
        for _ in 0..4000 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let colour = [(state >> 24) as u8 % 40, (state >> 16) as u8 % 9, 200];
            for _ in 0..=(state >> 8) % 7 {
                rgb.extend(colour);
            }
        }
        let (palette, indices) = quantise(&rgb);
        assert!(palette.len() == PALETTE_SIZE, "some colours snap");
        assert_eq!((palette, indices), per_pixel(&rgb));
        assert_eq!(quantise(&[]), (Vec::new(), Vec::new()));
    }
}
