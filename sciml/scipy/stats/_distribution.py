"""The factories behind the distributions. A distribution states its standardised formulas (of
y = (x - loc) / scale and its shape parameters), its support and which shape parameters are valid; the
factory adds scipy.stats' conventions around them: `loc`/`scale`, values outside the support (logpdf
-inf, cdf 0 or 1, ...), NaN for invalid parameters or a NaN argument, the ends of ppf/isf at q = 0 and 1,
and float64 results whatever the input dtype (as scipy.stats). The formulas are sciml.numpy code, so
every function differentiates, batches and compiles; arguments outside the support reach the formula
replaced by an interior point, so that the branch not taken leaves no NaN in a derivative."""
import inspect
import types

import numpy as np

from ... import numpy as snp
from ...core.trace import Tracer

# value below / above the support, for the functions of x
_OUTSIDE = {"logpdf": (-np.inf, -np.inf), "pdf": (0.0, 0.0), "cdf": (0.0, 1.0), "logcdf": (-np.inf, 0.0),
            "sf": (1.0, 0.0), "logsf": (0.0, -np.inf), "logpmf": (-np.inf, -np.inf), "pmf": (0.0, 0.0)}
_CONTINUOUS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
_DISCRETE = ("logpmf", "pmf", "cdf", "sf", "ppf", "entropy")


def floats(*args):
    """The arguments as float64 arrays (scipy.stats computes in float64 whatever the input dtype); complex
    ones are refused rather than cast to their real parts."""
    if any(np.issubdtype(snp.result_type(a) if isinstance(a, Tracer) else np.asarray(a).dtype, np.complexfloating)
           for a in args):
        raise NotImplementedError("sciml.scipy.stats: complex arguments are not supported (the distributions are "
                                  "real)")
    return [snp.asarray(a, dtype=np.float64) for a in args]


def _log_tail(f, log_of, complement):
    """log of f[log_of] (cdf or sf) as scipy's generic methods take it: log(cdf) below the median and
    log1p(-sf) above it (for logcdf; mirrored for logsf), the median being where the cdf crosses 1/2."""
    if complement not in f:
        return lambda y, *s: snp.log(f[log_of](y, *s))

    def log_tail(y, *s):
        p = f[log_of](y, *s)
        return snp.where(p < 0.5, snp.log(p), snp.log1p(-f[complement](y, *s)))
    return log_tail


def _complete_continuous(f):
    """The standardised formulas scipy derives from the given ones (its generic methods): pdf and logpdf
    from each other, sf = 1 - cdf, logcdf and logsf from cdf and sf, cdf and sf from their logs,
    isf(q) = ppf(1 - q)."""
    f = dict(f)
    if "sf" not in f and "logsf" not in f and ("cdf" in f or "logcdf" in f):
        f["sf"] = lambda y, *s: 1.0 - f["cdf"](y, *s)
    if "pdf" in f and "logpdf" not in f:
        f["logpdf"] = lambda y, *s: snp.log(f["pdf"](y, *s))
    for plain, log in (("pdf", "logpdf"), ("cdf", "logcdf"), ("sf", "logsf")):
        if log in f and plain not in f:
            f[plain] = lambda y, *s, log=log: snp.exp(f[log](y, *s))
    for plain, log, complement in (("cdf", "logcdf", "sf"), ("sf", "logsf", "cdf")):
        if plain in f and log not in f:
            f[log] = _log_tail(f, plain, complement)
    if "ppf" in f and "isf" not in f:
        f["isf"] = lambda q, *s: f["ppf"](1.0 - q, *s)
    return f


def _complete_discrete(f):
    """pmf and logpmf from each other, sf = 1 - cdf."""
    f = dict(f)
    if "pmf" not in f:
        f["pmf"] = lambda k, *s: snp.exp(f["logpmf"](k, *s))
    if "logpmf" not in f:
        f["logpmf"] = lambda k, *s: snp.log(f["pmf"](k, *s))
    if "cdf" in f and "sf" not in f:
        f["sf"] = lambda k, *s: 1.0 - f["cdf"](k, *s)
    return f


def log1mexp(a):
    """log(1 - exp(-a)) for a >= 0, accurate at both ends (expm1 for small a, log1p for large)."""
    small = a < np.log(2.0)
    return snp.where(small, snp.log(-snp.expm1(-snp.where(small, a, 1.0))), snp.log1p(-snp.exp(-a)))


def _positive(scale):
    """(scale > 0, the scale with 1 where it is not), so that invalid scales raise no warnings."""
    ok = scale > 0
    return ok, snp.where(ok, scale, 1.0)


def _interior(lo, hi):
    """A point inside the support [lo, hi] (either end may be infinite), where formulas are finite."""
    lo_finite, hi_finite = snp.isfinite(lo), snp.isfinite(hi)
    low = snp.where(lo_finite, lo, snp.where(hi_finite, hi - 2.0, -1.0))
    high = snp.where(hi_finite, hi, low + 2.0)
    return (low + high) / 2.0


def _of_x(kind, formula, support, valid, discrete):
    """logpdf, pdf, cdf, ...: the formula inside the support, scipy's constants outside, NaN when a
    parameter is invalid or the argument NaN."""
    below, above = _OUTSIDE[kind]

    def evaluate(x, shapes, loc, scale):
        lo, hi = support(*shapes)
        scale_ok, scale = _positive(scale)
        y = (x - loc) / scale
        if discrete and kind in ("cdf", "sf"):
            y = snp.floor(y)  # the cdf steps at the integers: cdf(k) = cdf(floor(k))
            inside = (y >= lo) & (y < hi)
        elif kind in ("logpdf", "pdf", "logpmf", "pmf"):  # closed support, as scipy
            inside = (y >= lo) & (y <= hi)
            if discrete:
                inside = inside & (y == snp.floor(y))
        else:
            inside = (y > lo) & (y < hi)
        value = formula(snp.where(inside, y, _interior(lo, hi)), *shapes)
        if kind == "logpdf":
            value = value - snp.log(scale)
        elif kind == "pdf":
            value = value / scale
        value = snp.where(inside, value, snp.where(y <= lo, below, above) if below != above else below)
        return snp.where(valid(*shapes) & scale_ok & ~snp.isnan(y), value, np.nan)
    return evaluate


def _of_q(kind, formula, support, valid, discrete):
    """ppf and isf: the formula for 0 < q < 1, the support's ends at q = 0 and 1 (the discrete ppf's
    lower end is one below the support, as scipy), NaN elsewhere."""
    def evaluate(q, shapes, loc, scale):
        lo, hi = support(*shapes)
        scale_ok, scale = _positive(scale)
        if discrete:
            lo = lo - 1.0
        at_zero, at_one = (lo, hi) if kind == "ppf" else (hi, lo)
        inside = (q > 0) & (q < 1)
        value = formula(snp.where(inside, q, 0.5), *shapes)
        y = snp.where(q == 0, at_zero, snp.where(q == 1, at_one, value))
        ok = valid(*shapes) & scale_ok & (inside | (q == 0) | (q == 1))
        return snp.where(ok, y * scale + loc, np.nan)
    return evaluate


def _entropy(formula, valid):
    def evaluate(shapes, loc, scale):
        return snp.where(valid(*shapes), formula(*shapes) + 0.0 * loc, np.nan)
    return evaluate


def _public(name, kind, evaluate, shapes, discrete):
    """`evaluate` with scipy's signature: (x, *shapes, loc=0, scale=1) (discrete: no scale)."""
    param = inspect.Parameter
    first = [] if kind == "entropy" else [param("q" if kind in ("ppf", "isf") else "k" if discrete else "x",
                                                param.POSITIONAL_OR_KEYWORD)]
    signature = inspect.Signature(first + [param(s, param.POSITIONAL_OR_KEYWORD) for s in shapes]
                                  + [param("loc", param.POSITIONAL_OR_KEYWORD, default=0.0)]
                                  + ([] if discrete else [param("scale", param.POSITIONAL_OR_KEYWORD, default=1.0)]))

    def fn(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = floats(*bound.arguments.values())
        if discrete:
            values.append(np.float64(1.0))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # as scipy.stats: inf, nan are values
            if kind == "entropy":
                return evaluate(values[:-2], values[-2], values[-1])
            return evaluate(values[0], values[1:-2], values[-2], values[-1])
    fn.__signature__ = signature
    fn.__name__ = fn.__qualname__ = kind
    fn.__doc__ = f"scipy.stats.{name}.{kind}{signature}, on values that may be traced."
    return fn


def _always(*shapes):
    return True


def _build(name, shapes, support, valid, formulas, kinds, discrete):
    support = support if callable(support) else (lambda *s, ends=support: ends)
    functions = {}
    for kind in kinds:
        if kind not in formulas:
            continue
        if kind == "entropy":
            evaluate = _entropy(formulas[kind], valid)
        elif kind in ("ppf", "isf"):
            evaluate = _of_q(kind, formulas[kind], support, valid, discrete)
        else:
            evaluate = _of_x(kind, formulas[kind], support, valid, discrete)
        functions[kind] = _public(name, kind, evaluate, shapes, discrete)
    return types.SimpleNamespace(**functions)


def continuous(name, shapes=(), support=(-np.inf, np.inf), valid=_always, **formulas):
    """The functions of a continuous distribution from standardised formulas `logpdf(y, *shapes)` or
    `pdf`, and any of cdf, logcdf, sf, logsf, ppf, isf (the others derived as scipy does).
    `support` is (lo, hi) or a function of the shape parameters giving them; `valid(*shapes)` a mask."""
    return _build(name, shapes, support, valid, _complete_continuous(formulas), _CONTINUOUS, discrete=False)


def discrete(name, shapes=(), support=(0.0, np.inf), valid=_always, **formulas):
    """The functions of a discrete distribution from `logpmf(k, *shapes)` or `pmf`, and optionally cdf,
    sf, ppf and entropy(*shapes); k off the integers has probability 0, and cdf(k) = cdf(floor(k))."""
    return _build(name, shapes, support, valid, _complete_discrete(formulas), _DISCRETE, discrete=True)
