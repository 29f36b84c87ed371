//! How chart lines tell apart: a colour-blind-safe palette crossed with marker shapes, so
//! lines differ in colour and, printed in grey, in shape.

use plotters::prelude::*;

/// Okabe and Ito's palette (yellow left out: it vanishes on white), dark enough for lines.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
];

/// Marker shapes; 5 is prime to 7 colours, so the pair repeats only after 35 lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
];

/// A line's look: colour, marker, and whether the marker is hollow (lines 36 to 70).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineStyle {
    pub colour: RGBColor,
    pub marker: Marker,
    pub hollow: bool,
}

/// The look of line `index`: no two of the first 70 alike.
pub fn line_style(index: usize) -> LineStyle {
    LineStyle {
        colour: PALETTE[index % PALETTE.len()],
        marker: MARKERS[index % MARKERS.len()],
        hollow: (index / (PALETTE.len() * MARKERS.len())) % 2 == 1,
    }
}

/// The marker of `style` centred at `at`, `r` pixels from centre to edge.
pub fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    style: LineStyle,
    at: (i32, i32),
    r: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (x, y) = at;
    let fill = if style.hollow {
        style.colour.stroke_width(2)
    } else {
        style.colour.filled()
    };
    let outline = |points: Vec<(i32, i32)>| {
        let mut closed = points.clone();
        closed.push(points[0]);
        PathElement::new(closed, style.colour.stroke_width(2))
    };
    let polygon = |points: Vec<(i32, i32)>| -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        if style.hollow {
            area.draw(&Polygon::new(points.clone(), WHITE.filled()))?;
            area.draw(&outline(points))
        } else {
            area.draw(&Polygon::new(points, fill))
        }
    };
    match style.marker {
        Marker::Circle => {
            if style.hollow {
                area.draw(&Circle::new(at, r, WHITE.filled()))?;
            }
            area.draw(&Circle::new(at, r, fill))
        }
        Marker::Square => {
            let s = r * 9 / 10;
            polygon(vec![
                (x - s, y - s),
                (x + s, y - s),
                (x + s, y + s),
                (x - s, y + s),
            ])
        }
        Marker::TriangleUp => {
            let h = r * 6 / 5;
            polygon(vec![
                (x, y - h),
                (x + h, y + h * 4 / 5),
                (x - h, y + h * 4 / 5),
            ])
        }
        Marker::TriangleDown => {
            let h = r * 6 / 5;
            polygon(vec![
                (x, y + h),
                (x + h, y - h * 4 / 5),
                (x - h, y - h * 4 / 5),
            ])
        }
        Marker::Diamond => {
            let h = r * 5 / 4;
            polygon(vec![(x, y - h), (x + h, y), (x, y + h), (x - h, y)])
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn twelve_lines_get_twelve_distinct_colours_and_shapes() {
        let styles: Vec<LineStyle> = (0..12).map(line_style).collect();
        let unique: HashSet<LineStyle> = styles.iter().copied().collect();
        assert_eq!(unique.len(), 12);
        // Neighbours differ in colour and in shape, so they tell apart in grey print too.
        for pair in styles.windows(2) {
            assert_ne!(pair[0].colour, pair[1].colour);
            assert_ne!(pair[0].marker, pair[1].marker);
        }
        let many: HashSet<LineStyle> = (0..70).map(line_style).collect();
        assert_eq!(many.len(), 70);
    }
}
