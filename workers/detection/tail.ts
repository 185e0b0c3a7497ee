// Normal-distribution tail helpers, accurate far into the tail (log space avoids underflow).

const LN10 = Math.log(10);

/** ln(erfc(x)) for x >= 0, Chebyshev fit with ~1e-7 relative error (Numerical Recipes erfcc). */
function logErfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** -log10 of the upper tail probability P(Z > z) of a standard normal. */
export function computeNormalSurprise(z: number): number {
  if (!Number.isFinite(z)) return z > 0 ? 300 : 0;
  if (z <= 0) {
    const upper = 0.5 * Math.exp(logErfc(-z / Math.SQRT2));
    return -Math.log10(1 - upper);
  }
  const lnQ = Math.log(0.5) + logErfc(z / Math.SQRT2);
  return Math.min(300, -lnQ / LN10);
}
