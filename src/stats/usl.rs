//! The Universal Scalability Law, X(N) = X(1)·N / (1 + σ(N−1) + κN(N−1)), fitted to
//! throughput against consumers: σ is the share of work that serialises (contention),
//! κ the cost of threads keeping each other coherent (crosstalk), and the peak
//! N* = √((1−σ)/κ) is where adding consumers starts to lose throughput.
//!
//! Owns the arithmetic only: which points belong in a fit is decided by the caller.

/// Fewer points than this cannot tell σ from κ from noise.
pub const MIN_POINTS: usize = 6;

/// A fitted law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Usl {
    /// Throughput of one consumer, items per second.
    pub x1: f64,
    pub sigma: f64,
    pub kappa: f64,
    /// Coefficient of determination of the fitted throughputs against the measured.
    pub r2: f64,
}

impl Usl {
    /// The throughput the law gives for `n` consumers.
    pub fn throughput(&self, n: f64) -> f64 {
        self.x1 * n / (1.0 + self.sigma * (n - 1.0) + self.kappa * n * (n - 1.0))
    }

    /// Consumers at peak throughput; `None` when throughput never falls (κ = 0) or never
    /// rises (σ ≥ 1).
    pub fn peak(&self) -> Option<f64> {
        (self.kappa > 0.0 && self.sigma < 1.0).then(|| ((1.0 - self.sigma) / self.kappa).sqrt())
    }
}

/// Fits the law to `(consumers, throughput)` points by non-negative least squares;
/// `None` with fewer than `MIN_POINTS` usable points.
///
/// Linearised, N/X(N) = a + b(N−1) + cN(N−1) with a = 1/X(1), b = σ/X(1), c = κ/X(1):
/// linear in a, b, c, which must not be negative. With three unknowns the exact
/// non-negative solution is the best of the unconstrained fits over the subsets of
/// {b, c} (a always in) whose coefficients all come out non-negative.
pub fn fit(points: &[(f64, f64)]) -> Option<Usl> {
    let points: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(n, x)| *n >= 1.0 && *x > 0.0 && n.is_finite() && x.is_finite())
        .collect();
    if points.len() < MIN_POINTS {
        return None;
    }
    let columns = |n: f64| [1.0, n - 1.0, n * (n - 1.0)];
    let rows: Vec<([f64; 3], f64)> = points.iter().map(|(n, x)| (columns(*n), n / x)).collect();
    let subsets: [&[usize]; 4] = [&[0], &[0, 1], &[0, 2], &[0, 1, 2]];
    let best = subsets
        .iter()
        .filter_map(|subset| least_squares(&rows, subset))
        .filter(|c| c[0] > 0.0 && c[1] >= 0.0 && c[2] >= 0.0)
        .map(|c| (residual(&rows, &c), c))
        .min_by(|a, b| a.0.total_cmp(&b.0))?;
    let [a, b, c] = best.1;
    let mut usl = Usl {
        x1: 1.0 / a,
        sigma: b / a,
        kappa: c / a,
        r2: 0.0,
    };
    usl.r2 = r_squared(&points, &usl);
    Some(usl)
}

/// Unconstrained least squares over the columns in `subset`; the others are zero.
fn least_squares(rows: &[([f64; 3], f64)], subset: &[usize]) -> Option<[f64; 3]> {
    let k = subset.len();
    // Normal equations: (AᵀA) β = Aᵀy, solved by Gaussian elimination with pivoting.
    let mut m = vec![vec![0.0; k + 1]; k];
    for (row, y) in rows {
        for (i, &ci) in subset.iter().enumerate() {
            for (j, &cj) in subset.iter().enumerate() {
                m[i][j] += row[ci] * row[cj];
            }
            m[i][k] += row[ci] * y;
        }
    }
    for col in 0..k {
        let pivot = (col..k).max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))?;
        m.swap(col, pivot);
        if m[col][col].abs() < 1e-300 {
            return None;
        }
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != col {
                let factor = row[col] / pivot_row[col];
                for (value, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *value -= factor * p;
                }
            }
        }
    }
    let mut coefficients = [0.0; 3];
    for (i, &ci) in subset.iter().enumerate() {
        coefficients[ci] = m[i][k] / m[i][i];
    }
    Some(coefficients)
}

fn residual(rows: &[([f64; 3], f64)], c: &[f64; 3]) -> f64 {
    rows.iter()
        .map(|(row, y)| {
            let fitted: f64 = row.iter().zip(c).map(|(r, c)| r * c).sum();
            (y - fitted).powi(2)
        })
        .sum()
}

fn r_squared(points: &[(f64, f64)], usl: &Usl) -> f64 {
    let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let total: f64 = points.iter().map(|p| (p.1 - mean).powi(2)).sum();
    let unexplained: f64 = points
        .iter()
        .map(|(n, x)| (x - usl.throughput(*n)).powi(2))
        .sum();
    if total > 0.0 {
        1.0 - unexplained / total
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthetic(law: &Usl, noise: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        (1..=12)
            .map(|n| (n as f64, law.throughput(n as f64) * (1.0 + noise(n))))
            .collect()
    }

    #[test]
    fn recovers_sigma_and_kappa_from_exact_data() {
        let law = Usl {
            x1: 1000.0,
            sigma: 0.05,
            kappa: 0.002,
            r2: 1.0,
        };
        let usl = fit(&synthetic(&law, |_| 0.0)).expect("12 points");
        assert!((usl.x1 - 1000.0).abs() < 1e-6, "{usl:?}");
        assert!((usl.sigma - 0.05).abs() < 1e-9, "{usl:?}");
        assert!((usl.kappa - 0.002).abs() < 1e-9, "{usl:?}");
        assert!((usl.r2 - 1.0).abs() < 1e-9);
        let peak = usl.peak().expect("κ > 0 has a peak");
        assert!((peak - (0.95f64 / 0.002).sqrt()).abs() < 1e-6);
    }

    #[test]
    fn recovers_them_within_a_few_percent_through_noise() {
        let law = Usl {
            x1: 500.0,
            sigma: 0.1,
            kappa: 0.01,
            r2: 1.0,
        };
        // ±1% alternating noise, a fixed pattern so the test is exact every time.
        let noise = |n: usize| if n.is_multiple_of(2) { 0.01 } else { -0.01 };
        let usl = fit(&synthetic(&law, noise)).expect("12 points");
        assert!((usl.sigma - 0.1).abs() < 0.02, "{usl:?}");
        assert!((usl.kappa - 0.01).abs() < 0.002, "{usl:?}");
        assert!(usl.r2 > 0.95, "{usl:?}");
    }

    #[test]
    fn never_negative_and_linear_scaling_has_no_peak() {
        // Perfectly linear, then slightly superlinear: the unconstrained fit would make σ
        // negative; the constrained one holds it at zero.
        let points: Vec<(f64, f64)> = (1..=8)
            .map(|n| (n as f64, 100.0 * n as f64 * (1.0 + 0.001 * n as f64)))
            .collect();
        let usl = fit(&points).expect("8 points");
        assert!(usl.sigma >= 0.0 && usl.kappa >= 0.0, "{usl:?}");
        assert_eq!(fit(&points[..5]), None, "5 points are too few");
        let linear = Usl {
            x1: 1.0,
            sigma: 0.0,
            kappa: 0.0,
            r2: 1.0,
        };
        assert_eq!(linear.peak(), None);
    }
}
