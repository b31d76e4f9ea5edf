//! The PNG backend of the charts: plotters' bitmap backend with its own text drawing.
//! plotters draws each glyph at the pen position without the glyph's left side bearing,
//! so narrow and wide characters sit unevenly ("Jan 2 027", "U TC"); here each glyph is
//! placed where the font puts it. Everything else is the bitmap backend's.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// A bitmap backend whose text is drawn by [`draw_glyphs`].
pub struct Png<'a>(pub BitMapBackend<'a>);

type Err<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

/// The embedded font, read once.
fn font() -> Option<&'static FontRef<'static>> {
    static FONT: std::sync::OnceLock<Option<FontRef<'static>>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
        .as_ref()
}

/// Calls `put(x, y, coverage)` for every pixel of `text` at `size`, the origin at the
/// top left of the box plotters lays the text out in (same advances and kerning).
pub fn draw_glyphs(text: &str, size: f32, mut put: impl FnMut(i32, i32, f32)) -> bool {
    let Some(font) = font() else {
        return false;
    };
    let scaled = font.as_scaled(size);
    let mut x = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(size, point(x, 0.0));
        if let Some(q) = scaled.outline_glyph(glyph) {
            let r = q.px_bounds();
            // The vertical placement plotters uses, so layouts stay as they are.
            let y0 = (size / 2.0 + r.min.y) as i32;
            let x0 = r.min.x as i32;
            q.draw(|gx, gy, cov| put(x0 + gx as i32, y0 + gy as i32, cov));
        }
        x += scaled.h_advance(id);
    }
    true
}

impl<'a> DrawingBackend for Png<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), Err<'a>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), Err<'a>> {
        self.0.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> Result<(), Err<'a>> {
        self.0.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        s: &S,
    ) -> Result<(), Err<'a>> {
        self.0.draw_line(from, to, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Result<(), Err<'a>> {
        self.0.draw_rect(ul, br, s, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Result<(), Err<'a>> {
        self.0.draw_path(path, s)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        s: &S,
        fill: bool,
    ) -> Result<(), Err<'a>> {
        self.0.draw_circle(c, r, s, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> Result<(), Err<'a>> {
        self.0.fill_polygon(vert, s)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), Err<'a>> {
        self.0.blit_bitmap(pos, (w, h), src)
    }

    /// As plotters' default, with the glyphs placed by [`draw_glyphs`].
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Err<'a>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut result = Ok(());
        let drawn = draw_glyphs(text, style.size() as f32, |x, y, cov| {
            let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if result.is_ok() && x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let c = BackendColor {
                    alpha: color.alpha * cov as f64,
                    rgb: color.rgb,
                };
                result = self.0.draw_pixel((x, y), c);
            }
        });
        if !drawn {
            let e = std::io::Error::other("the embedded DejaVu Sans font is invalid");
            return Err(DrawingErrorKind::FontError(Box::new(e)));
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ink_columns(text: &str, size: f32) -> Vec<i32> {
        let mut xs = Vec::new();
        assert!(draw_glyphs(text, size, |x, _, c| {
            if c > 0.5 {
                xs.push(x);
            }
        }));
        xs.sort_unstable();
        xs.dedup();
        xs
    }

    /// Each glyph starts at its left side bearing (DejaVu Sans "i": 0.094 em), and two
    /// equal glyphs are one advance apart (0.278 em); at a scale of 100 px, 1 em is
    /// about 86 px, so 8 px and 24 px. plotters' own drawing starts the ink at 0.
    #[test]
    fn glyphs_keep_their_side_bearings() {
        let one = ink_columns("i", 100.0);
        let first = one[0];
        assert!(
            (6..=10).contains(&first),
            "the ink of `i` starts at {first}"
        );
        let two = ink_columns("ii", 100.0);
        let second = two
            .iter()
            .copied()
            .find(|&x| x > one[one.len() - 1])
            .unwrap();
        assert!(
            (first + 22..=first + 26).contains(&second),
            "{first} {second}"
        );
    }
}
