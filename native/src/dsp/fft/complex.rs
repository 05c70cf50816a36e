//! Complex forward FFT of any size: a mixed-radix Stockham autosort (radices 4, 2, 3, 5 and
//! a generic odd radix up to [`MAX_GENERIC_RADIX`]), and Bluestein's chirp-z algorithm
//! when the size has a larger prime factor.
//!
//! Data are interleaved `re, im` f32 pairs. Twiddles are computed in f64 and rounded once.
//!
//! Stockham stage (decimation in frequency) with radix `r`, `m = len / r` and stride `s`
//! (the product of the radices already done), for `p < m`, `q < s`, `j < r`:
//!
//! ```text
//! y[q + s*(r*p + j)] = w^(p*j) * sum_k x[q + s*(p + k*m)] * exp(-2*pi*i*j*k/r),
//! w = exp(-2*pi*i/(r*m))
//! ```
//!
//! After the last stage the output is in natural order, with no bit reversal pass.

use super::Isa;

/// Largest prime handled by the generic O(r^2) butterfly; larger primes use Bluestein.
pub(crate) const MAX_GENERIC_RADIX: usize = 31;

/// One Stockham pass.
pub(crate) struct Stage {
    pub radix: usize,
    /// Outputs per butterfly group (`len / radix` of this pass).
    pub m: usize,
    /// Stride: product of the radices of the earlier passes.
    pub s: usize,
    /// `w^(p*j)` for `p < m`, `1 <= j < radix`, interleaved, index `p*(radix-1) + j-1`.
    pub tw: Vec<f32>,
    /// The same twiddles transposed, index `(j-1)*m + p` (used by vector kernels that run
    /// over `p` when `s == 1`).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub tw_t: Vec<f32>,
    /// `exp(-2*pi*i*t/radix)` for `t < radix` (generic radix only).
    pub roots: Vec<f32>,
}

/// Bluestein's algorithm: a length-`n` DFT as a circular convolution of length `len`
/// (a power of two >= 2n - 1).
pub(crate) struct Bluestein {
    len: usize,
    inner: Box<ComplexPlan>,
    /// `c_k = exp(-pi*i*k^2/n)`, `k < n`, interleaved.
    chirp: Vec<f32>,
    /// FFT of `b_t = conj(c_t)` (wrapped, `|t| < n`), scaled by `1/len`.
    filter: Vec<f32>,
}

pub(crate) enum Algo {
    Stockham(Vec<Stage>),
    Bluestein(Bluestein),
}

/// A complex forward FFT plan (immutable; shared between threads).
pub(crate) struct ComplexPlan {
    pub n: usize,
    pub algo: Algo,
    pub isa: Isa,
}

/// `exp(-2*pi*i*num/den)` as f32, computed in f64 with the angle reduced exactly.
pub(crate) fn twiddle(num: usize, den: usize) -> (f32, f32) {
    let k = (num % den) as f64;
    let a = -2.0 * std::f64::consts::PI * k / den as f64;
    (a.cos() as f32, a.sin() as f32)
}

/// Radices for `n` in the order the passes run, or `None` when `n` has a prime factor
/// above [`MAX_GENERIC_RADIX`].
pub(crate) fn factorize(n: usize) -> Option<Vec<usize>> {
    let mut rem = n;
    let mut out = Vec::new();
    while rem.is_multiple_of(4) {
        out.push(4);
        rem /= 4;
    }
    if rem.is_multiple_of(2) {
        out.push(2);
        rem /= 2;
    }
    for p in [3usize, 5] {
        while rem.is_multiple_of(p) {
            out.push(p);
            rem /= p;
        }
    }
    let mut p = 7;
    while rem > 1 {
        if p > MAX_GENERIC_RADIX {
            return None;
        }
        while rem.is_multiple_of(p) {
            out.push(p);
            rem /= p;
        }
        p += 2;
    }
    Some(out)
}

impl ComplexPlan {
    /// Plan a forward complex FFT of length `n >= 1`.
    pub(crate) fn new(n: usize, isa: Isa) -> ComplexPlan {
        assert!(n >= 1, "complex FFT length must be >= 1");
        let algo = match factorize(n) {
            Some(radices) => Algo::Stockham(stages(n, &radices)),
            None => Algo::Bluestein(Bluestein::new(n, isa)),
        };
        ComplexPlan { n, algo, isa }
    }

    /// Floats of scratch [`ComplexPlan::forward`] needs.
    pub(crate) fn scratch_len(&self) -> usize {
        match &self.algo {
            Algo::Stockham(_) => 2 * self.n,
            Algo::Bluestein(b) => 4 * b.len + b.inner.scratch_len(),
        }
    }

    /// Forward DFT of `src` (2n floats) into `dst` (>= 2n floats) using `scratch`.
    pub(crate) fn forward(&self, src: &[f32], dst: &mut [f32], scratch: &mut [f32]) {
        let len = 2 * self.n;
        assert!(src.len() >= len && dst.len() >= len && scratch.len() >= self.scratch_len());
        match &self.algo {
            Algo::Stockham(st) => {
                let dst = &mut dst[..len];
                let tmp = &mut scratch[..len];
                if st.is_empty() {
                    dst.copy_from_slice(&src[..len]);
                    return;
                }
                // Pass i writes `dst` when (passes left after it) is even, so the last one
                // ends in `dst`.
                let last = st.len() - 1;
                for (i, stage) in st.iter().enumerate() {
                    let to_dst = (last - i) % 2 == 0;
                    match (i, to_dst) {
                        (0, true) => run_stage(self.isa, stage, &src[..len], dst),
                        (0, false) => run_stage(self.isa, stage, &src[..len], tmp),
                        (_, true) => run_stage(self.isa, stage, tmp, dst),
                        (_, false) => run_stage(self.isa, stage, dst, tmp),
                    }
                }
            }
            Algo::Bluestein(b) => b.forward(self.n, src, dst, scratch),
        }
    }
}

fn stages(n: usize, radices: &[usize]) -> Vec<Stage> {
    let mut out = Vec::with_capacity(radices.len());
    let mut s = 1;
    let mut len = n;
    for &r in radices {
        let m = len / r;
        let mut tw = Vec::with_capacity(2 * m * (r - 1));
        for p in 0..m {
            for j in 1..r {
                let (c, si) = twiddle(p * j, len);
                tw.push(c);
                tw.push(si);
            }
        }
        let mut tw_t = Vec::new();
        if s == 1 {
            tw_t.reserve(2 * m * (r - 1));
            for j in 1..r {
                for p in 0..m {
                    let (c, si) = twiddle(p * j, len);
                    tw_t.push(c);
                    tw_t.push(si);
                }
            }
        }
        let mut roots = Vec::new();
        if r > 5 {
            for t in 0..r {
                let (c, si) = twiddle(t, r);
                roots.push(c);
                roots.push(si);
            }
        }
        out.push(Stage {
            radix: r,
            m,
            s,
            tw,
            tw_t,
            roots,
        });
        s *= r;
        len = m;
    }
    out
}

fn run_stage(isa: Isa, st: &Stage, src: &[f32], dst: &mut [f32]) {
    match isa {
        Isa::Scalar => stage_scalar(st, src, dst),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2(t) => t.stage(st, src, dst),
    }
}

impl Bluestein {
    fn new(n: usize, isa: Isa) -> Bluestein {
        let len = (2 * n - 1).next_power_of_two();
        let inner = Box::new(ComplexPlan::new(len, isa));
        let two_n = 2 * n as u128;
        let mut chirp = Vec::with_capacity(2 * n);
        for k in 0..n {
            // exp(-pi*i*k^2/n) = exp(-2*pi*i*(k^2 mod 2n)/(2n)), reduced exactly.
            let k2 = (k as u128 * k as u128 % two_n) as usize;
            let (c, s) = twiddle(k2, 2 * n);
            chirp.push(c);
            chirp.push(s);
        }
        let mut b = vec![0f32; 2 * len];
        let scale = 1.0 / len as f32;
        for k in 0..n {
            let (c, s) = (chirp[2 * k], chirp[2 * k + 1]);
            b[2 * k] = c * scale;
            b[2 * k + 1] = -s * scale;
            if k > 0 {
                b[2 * (len - k)] = c * scale;
                b[2 * (len - k) + 1] = -s * scale;
            }
        }
        let mut filter = vec![0f32; 2 * len];
        let mut scratch = vec![0f32; inner.scratch_len()];
        inner.forward(&b, &mut filter, &mut scratch);
        Bluestein {
            len,
            inner,
            chirp,
            filter,
        }
    }

    fn forward(&self, n: usize, src: &[f32], dst: &mut [f32], scratch: &mut [f32]) {
        let l2 = 2 * self.len;
        let (a, rest) = scratch.split_at_mut(l2);
        let (fa, rest) = rest.split_at_mut(l2);
        let c = &self.chirp;
        // a = x * chirp, zero padded.
        for k in 0..n {
            let (xr, xi) = (src[2 * k], src[2 * k + 1]);
            let (cr, ci) = (c[2 * k], c[2 * k + 1]);
            a[2 * k] = xr * cr - xi * ci;
            a[2 * k + 1] = xr * ci + xi * cr;
        }
        a[2 * n..].fill(0.0);
        self.inner.forward(a, fa, rest);
        // conj(A * B): the inverse transform as conj(FFT(conj(.))).
        for ((o, v), f) in a
            .chunks_exact_mut(2)
            .zip(fa.chunks_exact(2))
            .zip(self.filter.chunks_exact(2))
        {
            o[0] = v[0] * f[0] - v[1] * f[1];
            o[1] = -(v[0] * f[1] + v[1] * f[0]);
        }
        self.inner.forward(a, fa, rest);
        for k in 0..n {
            let (vr, vi) = (fa[2 * k], -fa[2 * k + 1]);
            let (cr, ci) = (c[2 * k], c[2 * k + 1]);
            dst[2 * k] = vr * cr - vi * ci;
            dst[2 * k + 1] = vr * ci + vi * cr;
        }
    }
}

// ---- scalar kernels -------------------------------------------------------------------

#[derive(Clone, Copy)]
struct C {
    re: f32,
    im: f32,
}

impl C {
    #[inline(always)]
    fn add(self, o: C) -> C {
        C {
            re: self.re + o.re,
            im: self.im + o.im,
        }
    }
    #[inline(always)]
    fn sub(self, o: C) -> C {
        C {
            re: self.re - o.re,
            im: self.im - o.im,
        }
    }
    #[inline(always)]
    fn mul(self, o: C) -> C {
        C {
            re: self.re * o.re - self.im * o.im,
            im: self.re * o.im + self.im * o.re,
        }
    }
    #[inline(always)]
    fn scale(self, k: f32) -> C {
        C {
            re: self.re * k,
            im: self.im * k,
        }
    }
    /// `-i * self`.
    #[inline(always)]
    fn neg_i(self) -> C {
        C {
            re: self.im,
            im: -self.re,
        }
    }
}

#[inline(always)]
fn ld(x: &[f32], i: usize) -> C {
    C {
        re: x[2 * i],
        im: x[2 * i + 1],
    }
}

#[inline(always)]
fn st(x: &mut [f32], i: usize, v: C) {
    x[2 * i] = v.re;
    x[2 * i + 1] = v.im;
}

pub(crate) const SQRT3_2: f32 = 0.866_025_4;
pub(crate) const C51: f32 = 0.309_017; // cos(2*pi/5)
pub(crate) const C52: f32 = -0.809_017; // cos(4*pi/5)
pub(crate) const S51: f32 = 0.951_056_5; // sin(2*pi/5)
pub(crate) const S52: f32 = 0.587_785_24; // sin(4*pi/5)

/// One butterfly group element (`p`, `q`) of a stage, scalar. Used for whole stages by the
/// scalar path and for loop remainders by the vector paths.
#[inline(always)]
pub(crate) fn butterfly_one(st_: &Stage, src: &[f32], dst: &mut [f32], p: usize, q: usize) {
    let (r, m, s) = (st_.radix, st_.m, st_.s);
    let tw = |j: usize| -> C {
        let i = p * (r - 1) + j - 1;
        C {
            re: st_.tw[2 * i],
            im: st_.tw[2 * i + 1],
        }
    };
    let a = |k: usize| ld(src, q + s * (p + k * m));
    let out = |j: usize| q + s * (r * p + j);
    match r {
        2 => {
            let (a0, a1) = (a(0), a(1));
            st(dst, out(0), a0.add(a1));
            st(dst, out(1), a0.sub(a1).mul(tw(1)));
        }
        3 => {
            let (a0, a1, a2) = (a(0), a(1), a(2));
            let t = a1.add(a2);
            let u = a0.sub(t.scale(0.5));
            let v = a1.sub(a2).neg_i().scale(SQRT3_2);
            st(dst, out(0), a0.add(t));
            st(dst, out(1), u.add(v).mul(tw(1)));
            st(dst, out(2), u.sub(v).mul(tw(2)));
        }
        4 => {
            let (a0, a1, a2, a3) = (a(0), a(1), a(2), a(3));
            let t0 = a0.add(a2);
            let t1 = a0.sub(a2);
            let t2 = a1.add(a3);
            let t3 = a1.sub(a3).neg_i();
            st(dst, out(0), t0.add(t2));
            st(dst, out(1), t1.add(t3).mul(tw(1)));
            st(dst, out(2), t0.sub(t2).mul(tw(2)));
            st(dst, out(3), t1.sub(t3).mul(tw(3)));
        }
        5 => {
            let (a0, a1, a2, a3, a4) = (a(0), a(1), a(2), a(3), a(4));
            let t1 = a1.add(a4);
            let t2 = a2.add(a3);
            let d1 = a1.sub(a4);
            let d2 = a2.sub(a3);
            let x1 = a0.add(t1.scale(C51)).add(t2.scale(C52));
            let x2 = a0.add(t1.scale(C52)).add(t2.scale(C51));
            let y1 = d1.scale(S51).add(d2.scale(S52)).neg_i();
            let y2 = d1.scale(S52).sub(d2.scale(S51)).neg_i();
            st(dst, out(0), a0.add(t1).add(t2));
            st(dst, out(1), x1.add(y1).mul(tw(1)));
            st(dst, out(2), x2.add(y2).mul(tw(2)));
            st(dst, out(3), x2.sub(y2).mul(tw(3)));
            st(dst, out(4), x1.sub(y1).mul(tw(4)));
        }
        _ => {
            let mut buf = [C { re: 0.0, im: 0.0 }; MAX_GENERIC_RADIX];
            for (k, b) in buf.iter_mut().enumerate().take(r) {
                *b = a(k);
            }
            let root = |t: usize| C {
                re: st_.roots[2 * t],
                im: st_.roots[2 * t + 1],
            };
            for j in 0..r {
                let mut acc = buf[0];
                let mut t = 0;
                for b in buf.iter().take(r).skip(1) {
                    t += j;
                    if t >= r {
                        t -= r;
                    }
                    acc = acc.add(b.mul(root(t)));
                }
                let v = if j == 0 { acc } else { acc.mul(tw(j)) };
                st(dst, out(j), v);
            }
        }
    }
}

/// Radix-R butterfly in place (no twiddles), R in {2, 3, 4, 5}: the same arithmetic as
/// [`butterfly_one`].
#[inline(always)]
fn butterfly<const R: usize>(a: &mut [C; R]) {
    let a: &mut [C] = a;
    match R {
        2 => {
            let (a0, a1) = (a[0], a[1]);
            a[0] = a0.add(a1);
            a[1] = a0.sub(a1);
        }
        3 => {
            let (a0, a1, a2) = (a[0], a[1], a[2]);
            let t = a1.add(a2);
            let u = a0.sub(t.scale(0.5));
            let v = a1.sub(a2).neg_i().scale(SQRT3_2);
            a[0] = a0.add(t);
            a[1] = u.add(v);
            a[2] = u.sub(v);
        }
        4 => {
            let (a0, a1, a2, a3) = (a[0], a[1], a[2], a[3]);
            let t0 = a0.add(a2);
            let t1 = a0.sub(a2);
            let t2 = a1.add(a3);
            let t3 = a1.sub(a3).neg_i();
            a[0] = t0.add(t2);
            a[1] = t1.add(t3);
            a[2] = t0.sub(t2);
            a[3] = t1.sub(t3);
        }
        5 => {
            let (a0, a1, a2, a3, a4) = (a[0], a[1], a[2], a[3], a[4]);
            let t1 = a1.add(a4);
            let t2 = a2.add(a3);
            let d1 = a1.sub(a4);
            let d2 = a2.sub(a3);
            let x1 = a0.add(t1.scale(C51)).add(t2.scale(C52));
            let x2 = a0.add(t1.scale(C52)).add(t2.scale(C51));
            let y1 = d1.scale(S51).add(d2.scale(S52)).neg_i();
            let y2 = d1.scale(S52).sub(d2.scale(S51)).neg_i();
            a[0] = a0.add(t1).add(t2);
            a[1] = x1.add(y1);
            a[2] = x2.add(y2);
            a[3] = x2.sub(y2);
            a[4] = x1.sub(y1);
        }
        _ => unreachable!("radix {R} has no specialized butterfly"),
    }
}

/// A pass of radix R in {2, 3, 4, 5}: twiddles loaded once per `p`, the R input rows and
/// the output block sliced once per `p` so the `q` loop runs without index arithmetic.
#[inline(always)]
fn pass<const R: usize>(st_: &Stage, src: &[f32], dst: &mut [f32]) {
    let (m, s) = (st_.m, st_.s);
    let n = R * m * s;
    let (src, dst) = (&src[..2 * n], &mut dst[..2 * n]);
    if s == 1 {
        // First pass: one `q` per `p`; index directly.
        for (p, out) in dst.chunks_exact_mut(2 * R).enumerate() {
            let mut a = [C { re: 0.0, im: 0.0 }; R];
            for (k, v) in a.iter_mut().enumerate() {
                *v = ld(src, p + k * m);
            }
            butterfly::<R>(&mut a);
            st(out, 0, a[0]);
            for (j, v) in a.iter().enumerate().skip(1) {
                let i = 2 * (p * (R - 1) + j - 1);
                st(
                    out,
                    j,
                    v.mul(C {
                        re: st_.tw[i],
                        im: st_.tw[i + 1],
                    }),
                );
            }
        }
        return;
    }
    for (p, out) in dst.chunks_exact_mut(2 * s * R).enumerate() {
        let mut w = [C { re: 1.0, im: 0.0 }; R];
        for (j, wj) in w.iter_mut().enumerate().skip(1) {
            let i = 2 * (p * (R - 1) + j - 1);
            *wj = C {
                re: st_.tw[i],
                im: st_.tw[i + 1],
            };
        }
        let rows: [&[f32]; R] =
            std::array::from_fn(|k| &src[2 * s * (p + k * m)..2 * s * (p + k * m + 1)]);
        for q in 0..s {
            let mut a = [C { re: 0.0, im: 0.0 }; R];
            for (v, row) in a.iter_mut().zip(&rows) {
                *v = ld(row, q);
            }
            butterfly::<R>(&mut a);
            for (j, v) in a.iter().enumerate() {
                let v = if j == 0 || p == 0 { *v } else { v.mul(w[j]) };
                st(out, q + s * j, v);
            }
        }
    }
}

/// A whole stage with the scalar kernels.
pub(crate) fn stage_scalar(st_: &Stage, src: &[f32], dst: &mut [f32]) {
    match st_.radix {
        2 => pass::<2>(st_, src, dst),
        3 => pass::<3>(st_, src, dst),
        4 => pass::<4>(st_, src, dst),
        5 => pass::<5>(st_, src, dst),
        _ => {
            for p in 0..st_.m {
                for q in 0..st_.s {
                    butterfly_one(st_, src, dst, p, q);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factorize_orders_radices() {
        assert_eq!(factorize(1), Some(vec![]));
        assert_eq!(factorize(256), Some(vec![4, 4, 4, 4]));
        assert_eq!(factorize(200), Some(vec![4, 2, 5, 5]));
        assert_eq!(factorize(7 * 31 * 9), Some(vec![3, 3, 7, 31]));
        assert_eq!(factorize(37), None);
        assert_eq!(factorize(2 * 97), None);
    }
}
