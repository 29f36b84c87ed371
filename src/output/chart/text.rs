//! Text on charts: the one font (DejaVu Sans, compiled in), its metrics for layout, and
//! a PNG canvas that lays glyphs out itself.
//!
//! plotters' ab_glyph text drops each glyph's left side bearing and truncates the pen
//! position per glyph, which is what printed "throughpu t" and "m edian". `PngCanvas`
//! wraps plotters' bitmap backend and draws text with the same metrics `width` measures,
//! glyphs placed at fractional pen positions with their bearings, so what layout
//! measures is what the PNG shows. SVG text is laid out by the viewer.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// The family SVG text names: DejaVu Sans first, the face the PNG uses, so a browser with it
/// draws the same text; then faces of similar width.
pub const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// plotters' sizes are 1.24 × the em (its SVG backend writes `size / 1.24` as font-size).
const PLOTTERS_EM: f64 = 1.24;

/// The built-in font; `None` only if the compiled-in bytes were unreadable.
pub fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
        .as_ref()
}

/// Registers the font with plotters under `FAMILY`, so SVG text names that list.
pub fn register() -> Result<(), String> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && font().is_some()
    });
    if ok {
        Ok(())
    } else {
        Err("the built-in DejaVu Sans font could not be loaded".to_string())
    }
}

/// A text style of `em` pixels in `colour`.
pub fn style(em: f64, colour: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, em * PLOTTERS_EM).into_font(),
        color: colour.to_backend_color(),
        pos: plotters_backend::text_anchor::Pos::default(),
    }
}

fn scale(font: &FontRef, em: f64) -> PxScale {
    let units = font.units_per_em().unwrap_or(2048.0);
    PxScale::from(em as f32 * font.height_unscaled() / units)
}

/// The advance width of `text` at `em` pixels, kerning included.
pub fn width(text: &str, em: f64) -> f64 {
    let Some(font) = font() else {
        // Never happens with the compiled-in font; a wide guess keeps layout apart.
        return text.chars().count() as f64 * em * 0.65;
    };
    let scaled = font.as_scaled(scale(font, em));
    let mut caret = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    f64::from(caret)
}

/// How far the baseline sits below an anchor point, as plotters' SVG backend puts it
/// (`dy` of 0.76em, 0.5ex, −0.5ex), so PNG and SVG agree on where text goes.
fn baseline(v: VPos, em: f64) -> f64 {
    const HALF_EX: f64 = 0.273;
    match v {
        VPos::Top => 0.76 * em,
        VPos::Center => HALF_EX * em,
        VPos::Bottom => -HALF_EX * em,
    }
}

/// Coverage of every pixel of `text` laid out at the origin (baseline at y = 0).
fn rasterise(text: &str, em: f64, mut put: impl FnMut(i32, i32, f32)) {
    let Some(font) = font() else { return };
    let px = scale(font, em);
    let scaled = font.as_scaled(px);
    let mut caret = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(px, point(caret, 0.0));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (x0, y0) = (bounds.min.x as i32, bounds.min.y as i32);
            outlined.draw(|x, y, c| put(x0 + x as i32, y0 + y as i32, c));
        }
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
}

/// plotters' bitmap backend with text drawn by `rasterise`.
pub struct PngCanvas<'a>(pub BitMapBackend<'a>);

type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

impl DrawingBackend for PngCanvas<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.0.fill_polygon(vert, style)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<BitmapError>> {
        let em = style.size() / PLOTTERS_EM;
        Ok((width(text, em).ceil() as u32, (em * 1.2).ceil() as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        let colour = style.color();
        let em = style.size() / PLOTTERS_EM;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width(text, em) / 2.0,
            HPos::Right => -width(text, em),
        };
        let dy = baseline(anchor.v_pos, em);
        let (w, h) = self.get_size();
        let transform = style.transform();
        let mut pixels = Vec::new();
        rasterise(text, em, |x, y, c| {
            pixels.push((x + dx.round() as i32, y + dy.round() as i32, c))
        });
        for (x, y, coverage) in pixels {
            if coverage <= 0.0 {
                continue;
            }
            let (x, y) = transform.transform(x, y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                let alpha = colour.alpha * f64::from(coverage.min(1.0));
                self.0.draw_pixel(
                    (x, y),
                    BackendColor {
                        alpha,
                        rgb: colour.rgb,
                    },
                )?;
            }
        }
        Ok(())
    }
}
