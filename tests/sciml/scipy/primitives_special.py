"""sciml.scipy.special's primitives for the registry suite (tests/sciml/test_primitives.py): every
primitive on arguments inside its domain, differentiated in the arguments it has derivatives for."""
import numpy as np

import sciml.scipy.special  # noqa: F401  (registers the primitives)


def cases(Case, R):
    pos, unit = R(3, 4, low=0.3, high=3.0), R(3, 4, low=0.05, high=0.95)
    x = R(3, 4, low=-2.0, high=2.0)
    nonzero = np.where(np.abs(x) < 0.2, 0.5, x)
    orders = np.array([[0, 1, 2, 3]] * 3)
    unary = {"gammaln": pos, "loggamma": pos, "digamma": pos, "gamma": pos, "erfc": x, "erfcx": x,
             "erfinv": 2 * unit - 1, "ndtr": x, "ndtri": unit, "log_ndtr": 3 * x, "dawsn": x, "i0": x, "i1": x,
             "i0e": nonzero, "i1e": nonzero, "entr": pos, "logit": unit, "fresnel_s": x, "fresnel_c": x}
    table = {name: [Case([arg])] for name, arg in unary.items()}
    table["gammasgn"] = [Case([x + 0.01])]
    table["riemann_zeta"] = [Case([pos + 1.2], diff=())]
    table["zeta"] = [Case([pos + 1.2, pos], diff=(1,))]
    table["polygamma"] = [Case([orders, pos], diff=(1,))]
    for name in ("betaln", "beta", "poch", "binom", "xlogy", "xlog1py", "rel_entr", "kl_div"):
        table[name] = [Case([pos, pos[::-1]])]
    table["xlogy"].append(Case([np.where(x > 0, 0.0, x), pos]))
    # in a, the first derivative only (the a-derivative has no derivative in a itself)
    for name in ("gammainc", "gammaincc"):
        table[name] = [Case([pos, pos[::-1]], diff=(1,)), Case([pos, 5 * pos[::-1]], smooth=False)]
    table["gammainc_da"] = [Case([pos, 5 * pos[::-1]], diff=(1,))]
    table["betainc"] = [Case([pos, pos[::-1], unit], diff=(2,)), Case([pos, pos[::-1], unit], smooth=False)]
    table["betainc_dparam"] = [Case([pos, pos[::-1], unit], {"wrt": wrt}, diff=(2,)) for wrt in (0, 1)]
    table["boxcox"] = [Case([pos, x]), Case([pos, np.zeros_like(x)])]
    table["boxcox1p"] = [Case([unit, x]), Case([unit, 1e-6 * x])]
    table["wofz"] = [Case([x + 1j * pos])]
    for name in ("exp1", "expi", "spence", "sici_si", "sici_ci"):
        table[name] = [Case([pos])]
    table["expn"] = [Case([orders, pos], diff=(1,))]
    table["hyp1f1"] = [Case([pos, pos[::-1] + 0.5, x], diff=(2,))]
    table["hyp2f1"] = [Case([pos, pos[::-1], pos + 1, 0.9 * x / 2], diff=(3,))]
    table["owens_t"] = [Case([x, x[::-1]])]
    table["sph_harm_y"] = [Case([orders, orders - 1, np.pi * unit, 3 * x], diff=(2, 3))]
    return table
