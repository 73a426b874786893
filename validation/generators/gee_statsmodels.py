#!/usr/bin/env python3
"""Reference cases for the GEE extensions beyond R: the Mancl-DeRouen
bias-reduced sandwich and the generalized score test for a term.

Writes validation/cases/gee_bias_reduced.json and
validation/cases/gee_score_test.json (format: validation/FORMAT.md).

    pip install statsmodels==0.15.0   # the version recorded in each `source`
    python3 validation/generators/gee_statsmodels.py

Conventions (statsmodels, not geepack): the scale inside the exchangeable
alpha estimator divides by N - p and alpha by (#pairs - p); the reported
scale is sum(e^2) / (N - p) for gaussian and fixed at 1 for binomial and
Poisson. The cases carry `"convention": "statsmodels"` so the adapter asks
rct for those estimators; rct's default (geepack) divides by N and #pairs.

The data are synthetic, drawn with numpy's PCG64 from fixed seeds and
rounded before fitting, so the JSON input is exactly what statsmodels saw.
"""
import json
import os
import warnings

import numpy as np
import scipy
import scipy.stats
import statsmodels
import statsmodels.api as sm

warnings.simplefilter("error", category=sm.tools.sm_exceptions.ConvergenceWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "cases")
VERSIONS = (f"statsmodels {statsmodels.__version__} (numpy {np.__version__}, "
            f"scipy {scipy.__version__})")
TOL = {"rel": 1e-5, "abs": 1e-8}
CTOL = 1e-10

FAMILIES = {
    "gaussian": sm.families.Gaussian,
    "binomial": sm.families.Binomial,
    "poisson": sm.families.Poisson,
}
CORSTR = {
    "independence": sm.cov_struct.Independence,
    "exchangeable": sm.cov_struct.Exchangeable,
}


def panel(rng, n_clusters, sizes):
    """ids 1..K, each with `sizes[k]` consecutive waves starting at 1."""
    ids = np.repeat(np.arange(1, n_clusters + 1), sizes)
    wave = np.concatenate([np.arange(1, s + 1) for s in sizes]).astype(float)
    return ids, wave


def dataset(name):
    """Returns (family, corstr, ids, wave, columns dict, y, terms, note)."""
    if name == "gaussian_exchangeable":
        rng = np.random.default_rng([20240601, 1])
        k = 30
        ids, wave = panel(rng, k, [4] * k)
        trt = np.repeat((np.arange(k) % 2).astype(float), 4)
        time = wave - 1.0
        u = np.repeat(rng.normal(0, 1.0, k), 4)
        y = np.round(5 + 0.4 * trt + 0.3 * time + 0.25 * trt * time + u
                     + rng.normal(0, 1.0, ids.size), 3)
        cols = {"trt": trt, "time": time, "trt_time": trt * time}
        terms = {"group": ["trt"], "time": ["time"], "group:time": ["trt_time"]}
        return ("gaussian", "exchangeable", ids, wave, cols, y, terms,
                "synthetic seed [20240601, 1], 30 clusters x 4 waves, random intercept")
    if name == "binomial_exchangeable":
        rng = np.random.default_rng([20240601, 2])
        k = 40
        ids, wave = panel(rng, k, [5] * k)
        trt = np.repeat((np.arange(k) % 2).astype(float), 5)
        time = (wave - 3.0) / 2.0
        u = np.repeat(rng.normal(0, 0.8, k), 5)
        eta = -0.3 + 0.7 * trt + 0.5 * time + u
        y = (rng.uniform(size=ids.size) < 1 / (1 + np.exp(-eta))).astype(float)
        cols = {"trt": trt, "time": time}
        terms = {"group": ["trt"], "time": ["time"]}
        return ("binomial", "exchangeable", ids, wave, cols, y, terms,
                "synthetic seed [20240601, 2], 40 clusters x 5 waves, logit random intercept")
    if name == "poisson_independence":
        rng = np.random.default_rng([20240601, 3])
        k = 35
        ids, wave = panel(rng, k, [4] * k)
        trt = np.repeat((np.arange(k) % 2).astype(float), 4)
        base = np.repeat(np.round(rng.gamma(4.0, 1.0, k), 2), 4)
        lbase = np.round(np.log(base), 6)
        u = np.repeat(rng.normal(0, 0.4, k), 4)
        y = rng.poisson(np.exp(0.2 - 0.4 * trt + 0.6 * lbase + u)).astype(float)
        cols = {"trt": trt, "log_base": lbase, "visit": wave}
        terms = {"group": ["trt"], "baseline": ["log_base"], "visit": ["visit"]}
        return ("poisson", "independence", ids, wave, cols, y, terms,
                "synthetic seed [20240601, 3], 35 clusters x 4 counts, gamma-distributed "
                "baseline count (log), overdispersed by a random intercept")
    if name == "gaussian_unbalanced_shuffled":
        rng = np.random.default_rng([20240601, 4])
        k = 25
        sizes = rng.integers(1, 7, k)
        ids, wave = panel(rng, k, sizes)
        arm = rng.integers(0, 3, k)
        high = np.repeat((arm == 1).astype(float), sizes)
        low = np.repeat((arm == 2).astype(float), sizes)
        u = np.repeat(rng.normal(0, 3.0, k), sizes)
        y = np.round(20 + 2.0 * high + 1.0 * low + 0.8 * wave + u
                     + rng.normal(0, 2.0, ids.size), 2)
        # Shuffle the rows: a subject's rows are no longer adjacent
        # (statsmodels groups by id value).
        perm = rng.permutation(ids.size)
        ids, wave, high, low, y = ids[perm], wave[perm], high[perm], low[perm], y[perm]
        cols = {"high": high, "low": low, "wave": wave}
        terms = {"arm": ["high", "low"], "wave": ["wave"]}
        return ("gaussian", "exchangeable", ids, wave, cols, y, terms,
                "synthetic seed [20240601, 4], 25 clusters of sizes 1-6 (singletons "
                "included), 3 arms; rows shuffled so that clusters are not contiguous "
                "(statsmodels groups by id value; so does rct)")
    raise ValueError(name)


def design(cols):
    return np.column_stack([np.ones(len(next(iter(cols.values()))))] + list(cols.values()))


def fit(family, corstr, ids, x, y, cov_type="robust"):
    model = sm.GEE(y, x, groups=ids, family=FAMILIES[family](),
                   cov_struct=CORSTR[corstr]())
    res = model.fit(maxiter=500, ctol=CTOL, cov_type=cov_type)
    if not res.converged:
        raise RuntimeError("statsmodels GEE did not converge")
    return model, res


def as_list(a):
    return [float(v) for v in np.asarray(a).ravel()]


def inputs(family, corstr, ids, wave, cols, y, terms=None):
    d = {
        "id": [int(v) for v in ids],
        "y": [float(v) if family == "gaussian" else int(v) for v in y],
        "x": {k: [float(v) for v in c] for k, c in cols.items()},
        "wave": [int(v) for v in wave],
        "family": family,
        "corstr": corstr,
        "convention": "statsmodels",
    }
    if terms is not None:
        d["terms"] = terms
    return d


def bias_reduced_case(name):
    family, corstr, ids, wave, cols, y, _terms, note = dataset(name)
    x = design(cols)
    model, res = fit(family, corstr, ids, x, y, cov_type="bias_reduced")
    robust = np.sqrt(np.diag(res.cov_robust))
    bc = np.sqrt(np.diag(res.cov_robust_bc))
    alpha = [] if corstr == "independence" else [float(model.cov_struct.dep_params)]
    source = (
        f"{VERSIONS} GEE(y, [1, x columns], groups=id, family={family} (canonical link), "
        f"cov_struct={corstr}).fit(cov_type='bias_reduced', ctol={CTOL}, maxiter=500); "
        "bias_reduced_se = sqrt(diag(cov_robust_bc)), the Mancl & DeRouen (2001) sandwich "
        "whose meat uses (I - H_i)^-1 r_i with H_i = D_i (sum D'V^-1 D)^-1 D_i' V_i^-1; "
        "robust_se = plain sandwich; statsmodels conventions (input convention = "
        "'statsmodels'): scale = sum e^2 / (N - p) for gaussian and 1 for binomial/poisson, "
        "exchangeable alpha = sum_pairs e_j e_k / (sum e^2 / (N - p)) / (#pairs - p); "
        f"{note}; generated by validation/generators/gee_statsmodels.py"
    )
    return {
        "id": f"gee_bias_reduced/{name}",
        "source": source,
        "input": inputs(family, corstr, ids, wave, cols, y),
        "expected": {
            "coef": as_list(res.params),
            "robust_se": as_list(robust),
            "bias_reduced_se": as_list(bc),
            "alpha": alpha,
            "scale": float(res.scale),
        },
        "tolerance": TOL,
    }


def score_case(name):
    family, corstr, ids, wave, cols, y, terms, note = dataset(name)
    names = list(cols)
    x = design(cols)
    tests = []
    for term, tcols in terms.items():
        keep = [0] + [1 + j for j, c in enumerate(names) if c not in tcols]
        _, sub = fit(family, corstr, ids, x[:, keep], y)
        full = sm.GEE(y, x, groups=ids, family=FAMILIES[family](),
                      cov_struct=CORSTR[corstr]())
        st = full.compare_score_test(sub)
        stat = float(st["statistic"])
        df = int(st["df"])
        tests.append({"name": term, "statistic": stat, "df": df,
                      "p_value": float(scipy.stats.chi2.sf(stat, df))})
    source = (
        f"{VERSIONS} generalized score test per term (Rotnitzky & Jewell 1990, Boos 1992; "
        "SAS PROC GENMOD Type 3 default): GEE(y, [1, x columns], groups=id, "
        f"family={family} (canonical link), cov_struct={corstr}).compare_score_test(submodel), "
        "submodel = the same GEE without the term's columns fitted with "
        f"fit(ctol={CTOL}, maxiter=500); p_value = scipy.stats.chi2.sf(statistic, df) "
        "(statsmodels reports 1 - cdf); statsmodels conventions for the submodel's alpha and "
        "scale (input convention = 'statsmodels'; see gee_bias_reduced); "
        f"{note}; generated by validation/generators/gee_statsmodels.py"
    )
    return {
        "id": f"gee_score_test/{name}",
        "source": source,
        "input": inputs(family, corstr, ids, wave, cols, y, terms),
        "expected": {"term_tests": tests},
        "tolerance": TOL,
    }


def error_cases(method):
    base = {
        "id": [1, 1, 2, 2, 3, 3],
        "y": [0, 1, 1, 0, 1, 0],
        "x": {"a": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]},
        "wave": [1, 2, 1, 2, 1, 2],
        "family": "binomial",
        "corstr": "exchangeable",
        "convention": "statsmodels",
    }
    if method == "gee_score_test":
        base["terms"] = {"a": ["a"]}
    null_y = dict(base, y=[0, 1, None, 0, 1, 0])
    not01 = dict(base, y=[0, 1, 2, 0, 1, 0])
    return [
        {"id": f"{method}/error_null_y",
         "source": "invalid per FORMAT.md (missing value in y)",
         "input": null_y, "expected": {"error": True}},
        {"id": f"{method}/error_binomial_y_not_0_1",
         "source": "invalid per FORMAT.md (binomial response 2)",
         "input": not01, "expected": {"error": True}},
    ]


DATASETS = ["gaussian_exchangeable", "binomial_exchangeable", "poisson_independence",
            "gaussian_unbalanced_shuffled"]


def write(method, cases):
    path = os.path.join(CASES, f"{method}.json")
    with open(path, "w") as f:
        json.dump({"method": method, "cases": cases}, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(path)}")


def main():
    write("gee_bias_reduced", [bias_reduced_case(n) for n in DATASETS]
          + error_cases("gee_bias_reduced"))
    write("gee_score_test", [score_case(n) for n in DATASETS]
          + error_cases("gee_score_test"))


if __name__ == "__main__":
    main()
