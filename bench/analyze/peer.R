#!/usr/bin/env Rscript
# The R peer of `rct analyze`: the default analysis plan
# (crates/analysis/plans/default.toml) run on the same ADaM CSV files with
# the established R tools (stats, survival, geepack, nlme), following
# crates/analysis/src/engine/*.rs step by step.
#
#   Rscript bench/analyze/peer.R ADAM_DIR OUT_JSON
#
# ADAM_DIR holds adsl.csv, adlb.csv, adtte.csv and adae.csv. OUT_JSON gets
# a few key numbers (to compare with rct's results.json), the number of
# results computed and the time of each step. Progress goes to stderr.
#
# Left out, as in the rct run it is timed against: the two-stage test for
# crossing hazards (no Debian package has it; rct runs with two_stage =
# false). rct also renders the report (HTML, tables, figures) and computes
# a few things R is not asked for here (GEE generalized score tests,
# Satterthwaite degrees of freedom for the MMRM contrasts, where R uses the
# residual degrees of freedom of gls); both make the comparison kinder to R.

t_start <- proc.time()[["elapsed"]]
suppressPackageStartupMessages({
  library(data.table)
  library(survival)
  library(geepack)
  library(nlme)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("usage: Rscript peer.R ADAM_DIR OUT_JSON")
}
adam_dir <- args[1]
out_json <- args[2]

# ---- plan constants (default.toml) -------------------------------------

ARMS <- c("HIGH", "LOW", "PLACEBO")
REF <- "PLACEBO"
QTYPE <- 2
FISHER_BELOW <- 5
CONF <- 0.95
VISITS <- c(0, 4, 12, 24, 36, 48, 60, 72, 84, 96)
VISIT_LABELS <- paste("Week", VISITS)
LONGITUDINAL <- list(
  list(paramcd = "CD4", pop = "itt", locf = TRUE, tests = TRUE, change = TRUE,
       observed = TRUE, mmrm = TRUE, gee = TRUE),
  list(paramcd = "CD8", pop = "itt", locf = TRUE, tests = TRUE, change = FALSE,
       observed = FALSE, mmrm = FALSE, gee = TRUE),
  list(paramcd = "CD4CD8", pop = "itt", locf = TRUE, tests = TRUE, change = TRUE,
       observed = FALSE, mmrm = FALSE, gee = TRUE),
  list(paramcd = "ALT", pop = "safety", locf = FALSE, tests = FALSE, change = FALSE,
       observed = FALSE, mmrm = FALSE, gee = FALSE),
  list(paramcd = "AST", pop = "safety", locf = FALSE, tests = FALSE, change = FALSE,
       observed = FALSE, mmrm = FALSE, gee = FALSE)
)
BASELINE_VARS <- list(
  list(v = "AGE", kind = "continuous"),
  list(v = "SEX", kind = "categorical", levels = c("M", "F")),
  list(v = "WEIGHTBL", kind = "continuous"),
  list(v = "BMIBL", kind = "continuous"),
  list(v = "HIVROUTE", kind = "categorical"),
  list(v = "HIVDXMO", kind = "continuous"),
  list(v = "ARTDURMO", kind = "continuous"),
  list(v = "HIVRNABL", kind = "categorical", breaks = 50, level_labels = c("20-49", ">= 50"),
       missing_label = "< 20 (below quantification)"),
  list(v = "CD4BL", kind = "continuous"),
  list(v = "CD8BL", kind = "continuous"),
  list(v = "CD4CD8BL", kind = "continuous"),
  list(v = "PREARTC4", kind = "continuous"),
  list(v = "PREARTC8", kind = "continuous"),
  list(v = "ART1L", kind = "categorical"),
  list(v = "ART2LFL", kind = "categorical", levels = c("Y", "N"))
)
TTE <- c("RESP30", "RESP100")
TIME_DIVISOR <- 7
RISK_TIMES <- c(0, 12, 24, 36, 48, 60, 72, 84, 96)
AE_GROUPS <- list("Fever, fatigue or insomnia" = c("Pyrexia", "Fatigue", "Insomnia"))
LAB_THRESHOLDS <- list(
  list(paramcd = "HIV1RNA", at_least = 50),
  list(paramcd = "ALT", uln_multiple = 3),
  list(paramcd = "AST", uln_multiple = 3)
)

# ---- bookkeeping --------------------------------------------------------

n_results <- 0L
count <- function(k = 1L) n_results <<- n_results + as.integer(k)
key <- list()
timings <- list(`load packages` = round(proc.time()[["elapsed"]] - t_start, 3))
step <- function(name, expr) {
  message(sprintf("[peer.R %7.1fs] %s", proc.time()[["elapsed"]] - t_start, name))
  t0 <- proc.time()[["elapsed"]]
  force(expr)
  timings[[name]] <<- round(proc.time()[["elapsed"]] - t0, 3)
  write_out("running")
  invisible(NULL)
}
# The output, rewritten after every step: a run stopped by a time limit
# still says what it finished and how long each step took.
write_out <- function(status) {
  out <- list(
    status = status,
    r_version = R.version.string,
    packages = lapply(setNames(nm = c("survival", "geepack", "nlme", "data.table", "jsonlite")),
                      function(p) as.character(packageVersion(p))),
    n_results = n_results,
    key = key,
    timings = timings,
    cpu_timings = cpu_timings,
    total_seconds = round(proc.time()[["elapsed"]] - t_start, 3)
  )
  write_json(out, out_json, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null")
}
# Elapsed time of a part of a step, recorded beside the steps ("  GEE CD4" ...).
# The CPU time (user + system) of the parts is kept too.
cpu_now <- function() {
  p <- proc.time()
  p[["user.self"]] + p[["sys.self"]]
}
cpu_timings <- list()
part <- function(name, expr) {
  t0 <- proc.time()[["elapsed"]]
  c0 <- cpu_now()
  value <- force(expr)
  timings[[paste0("  ", name)]] <<- round(proc.time()[["elapsed"]] - t0, 3)
  cpu_timings[[name]] <<- round(cpu_now() - c0, 3)
  value
}
# Character column as trimmed text with "" for missing.
txt <- function(x) {
  x <- as.character(x)
  x[is.na(x)] <- ""
  trimws(x)
}
flag <- function(x) txt(x) == "Y"
num <- function(x) suppressWarnings(as.numeric(x))

# ---- the methods as rct's engine applies them ---------------------------

describe <- function(x) {
  if (length(x) == 0) return(NULL)
  q <- quantile(x, c(0.25, 0.5, 0.75), type = QTYPE, names = FALSE)
  count()
  list(n = length(x), median = q[2], q1 = q[1], q3 = q[3], mean = mean(x),
       sd = if (length(x) > 1) sd(x) else NA_real_, min = min(x), max = max(x))
}

# Kruskal-Wallis across the groups that have values; NULL when fewer than
# two such groups or no spread.
kw_test <- function(groups) {
  groups <- groups[lengths(groups) > 0]
  if (length(groups) < 2) return(NULL)
  r <- tryCatch(suppressWarnings(kruskal.test(groups)), error = function(e) NULL)
  if (is.null(r) || !is.finite(r$p.value)) return(NULL)
  count()
  list(statistic = unname(r$statistic), df = unname(r$parameter), p_value = r$p.value)
}

# Pearson chi-square without continuity correction, or Fisher's exact test
# when an expected count is below FISHER_BELOW (chi-square if Fisher's
# network algorithm runs out of workspace). counts: arms x levels.
cat_test <- function(counts) {
  counts <- counts[rowSums(counts) > 0, , drop = FALSE]
  if (nrow(counts) < 2) return(NULL)
  counts <- counts[, colSums(counts) > 0, drop = FALSE]
  if (ncol(counts) < 2) return(NULL)
  chi <- suppressWarnings(chisq.test(counts, correct = FALSE))
  count()
  if (any(chi$expected < FISHER_BELOW)) {
    f <- tryCatch(fisher.test(counts), error = function(e) NULL)
    if (!is.null(f)) return(list(method = "fisher_exact", p_value = f$p.value))
  }
  list(method = "chi_square", statistic = unname(chi$statistic),
       df = unname(chi$parameter), p_value = chi$p.value)
}

# Nemenyi's test of every visit against the first after Friedman:
# q = |mean rank_j - mean rank_1| / sqrt(k (k + 1) / (6 n)),
# p = P(Q_(k, inf) > q sqrt 2) (PMCMRplus / scikit-posthocs convention).
nemenyi_vs_first <- function(m) {
  k <- ncol(m)
  n <- nrow(m)
  ranks <- t(apply(m, 1, rank))
  means <- colMeans(ranks)
  q <- abs(means[-1] - means[1]) / sqrt(k * (k + 1) / (6 * n))
  count(k - 1)
  ptukey(q * sqrt(2), nmeans = k, df = Inf, lower.tail = FALSE)
}

# ---- read ----------------------------------------------------------------

step("read CSV (data.table::fread)", {
  rd <- function(name) fread(file.path(adam_dir, paste0(name, ".csv")), showProgress = FALSE)
  adsl <- rd("adsl")
  adlb <- rd("adlb")
  adtte <- rd("adtte")
  adae <- rd("adae")
})

step("subjects and populations", {
  ids <- txt(adsl$USUBJID)
  if (anyDuplicated(ids)) stop("ADSL: a subject appears twice")
  planned <- match(txt(adsl$ARMCD), ARMS)
  actual <- match(txt(adsl$ACTARMCD), ARMS)
  pops <- list(itt = flag(adsl$ITTFL), safety = flag(adsl$SAFFL))
  arms_in <- function(pop, use_actual) {
    a <- if (use_actual) actual else planned
    a[!pops[[pop]]] <- NA_integer_
    a
  }
  subject_of <- function(d, what) {
    s <- match(txt(d$USUBJID), ids)
    if (anyNA(s)) stop(sprintf("%s: subject %s is not in ADSL", what, d$USUBJID[which(is.na(s))[1]]))
    s
  }
  adlb_subject <- subject_of(adlb, "ADLB")
  adtte_subject <- subject_of(adtte, "ADTTE")
  adae_subject <- subject_of(adae, "ADAE")
  lb_param <- txt(adlb$PARAMCD)
  lb_visit <- num(adlb$AVISITN)
  lb_aval <- num(adlb$AVAL)
  lb_dtype <- txt(adlb$DTYPE)
  lb_anl <- flag(adlb$ANL01FL)
  lb_base <- num(adlb$BASE)
  n_itt <- tabulate(arms_in("itt", FALSE), length(ARMS))
  n_saf_actual <- tabulate(arms_in("safety", TRUE), length(ARMS))
  key$n_itt <- setNames(as.list(n_itt), ARMS)
  key$n_safety <- setNames(as.list(n_saf_actual), ARMS)
})

# ---- CONSORT --------------------------------------------------------------

step("CONSORT flow", {
  rand <- flag(adsl$RANDFL)
  if (any(rand & is.na(planned))) stop("ADSL: a randomized subject has none of the plan's arms")
  status <- txt(adsl$EOSSTT)
  reason <- txt(adsl$DCSREAS)
  excluded <- table(ifelse(flag(adsl$SCRNFFL), "Not meeting inclusion criteria",
                           ifelse(toupper(reason) == "WITHDRAWAL BY SUBJECT", "Declined to participate",
                                  ifelse(reason == "", "Other reasons", reason)))[!rand])
  consort <- data.table(arm = planned[rand], treated = flag(adsl$SAFFL)[rand],
                        disc = toupper(status[rand]) == "DISCONTINUED",
                        reason = reason[rand], analysed = flag(adsl$ITTFL)[rand])
  flow <- consort[, .(allocated = .N, received = sum(treated), discontinued = sum(disc),
                      analysed = sum(analysed)), keyby = arm]
  reasons <- consort[disc == TRUE, .N, keyby = .(arm, reason)]
  count()
})

# ---- Table 1 ---------------------------------------------------------------

step("Table 1: baseline characteristics", {
  arm <- arms_in("itt", FALSE)
  for (b in BASELINE_VARS) {
    x <- adsl[[b$v]]
    if (b$kind == "continuous") {
      x <- num(x)
      ok <- !is.na(arm) & is.finite(x)
      groups <- split(x[ok], factor(arm[ok], levels = seq_along(ARMS)))
      for (g in groups) describe(g)
      describe(x[ok])
      r <- kw_test(groups)
      if (b$v == "AGE") key$baseline_age_kw_p <- r$p_value
    } else {
      if (is.null(b$breaks)) {
        x <- txt(x)
        planned_levels <- b$levels
      } else {
        # A numeric variable binned by the plan's breaks; missing values
        # form the missing_label category.
        x <- num(x)
        x <- ifelse(is.finite(x), b$level_labels[findInterval(x, b$breaks) + 1], b$missing_label)
        planned_levels <- c(b$missing_label, b$level_labels)
      }
      inpop <- !is.na(arm)
      seen <- sort(unique(x[inpop & x != ""]), method = "radix")
      levels <- c(planned_levels, setdiff(seen, planned_levels))
      ok <- inpop & x %in% levels
      counts <- unclass(table(factor(arm[ok], levels = seq_along(ARMS)),
                              factor(x[ok], levels = levels)))
      count(length(levels))
      r <- cat_test(counts)
      if (b$v == "SEX") key$baseline_sex_p <- r$p_value
      if (b$v == "HIVRNABL") key$baseline_hivrnabl_p <- r$p_value
    }
  }
})

# ---- repeated measures by arm and visit ------------------------------------

# Within-arm tests against the first visit (Wilcoxon signed-rank, Friedman
# and Nemenyi on complete subjects), summaries by arm and visit and a
# Kruskal-Wallis test between arms at each visit. m: subjects x visits.
by_visit <- function(m, arm, tests, change) {
  nv <- ncol(m)
  out <- list()
  if (tests) {
    for (a in seq_along(ARMS)) {
      ma <- m[!is.na(arm) & arm == a, , drop = FALSE]
      for (v in 2:nv) {
        ok <- !is.na(ma[, v]) & !is.na(ma[, 1])
        if (!any(ok)) next
        w <- tryCatch(suppressWarnings(wilcox.test(ma[ok, v], ma[ok, 1], paired = TRUE)),
                      error = function(e) NULL)
        if (!is.null(w) && is.finite(w$p.value)) count()
      }
      complete <- ma[rowSums(is.na(ma)) == 0, , drop = FALSE]
      if (nrow(complete) >= 2) {
        f <- tryCatch(friedman.test(complete), error = function(e) NULL)
        if (!is.null(f) && is.finite(f$p.value)) {
          count()
          nemenyi_vs_first(complete)
        }
      }
    }
  }
  for (v in seq_len(nv)) {
    groups <- lapply(seq_along(ARMS), function(a) {
      x <- m[!is.na(arm) & arm == a, v]
      x[!is.na(x)]
    })
    for (g in groups) describe(g)
    if (tests && !(change && v == 1)) out[[v]] <- kw_test(groups)
  }
  out
}

# GEE of the whole course: arm + visit + arm x visit, gaussian, exchangeable,
# subjects as clusters, visits as waves; Wald tests of the terms (anova).
gee_terms <- function(m, arm, subject, first_visit) {
  nv <- ncol(m)
  cols <- first_visit:nv
  sub <- m[, cols, drop = FALSE]
  present <- which(!is.na(sub), arr.ind = TRUE)
  present <- present[order(present[, 1], present[, 2]), , drop = FALSE]
  d <- data.frame(
    y = sub[present],
    id = subject[present[, 1]],
    wave = present[, 2],
    arm = factor(ARMS[arm[present[, 1]]], levels = c(REF, setdiff(ARMS, REF))),
    visit = factor(present[, 2], levels = seq_along(cols))
  )
  fit <- tryCatch(geeglm(y ~ arm * visit, id = id, waves = wave, data = d,
                         family = gaussian, corstr = "exchangeable"),
                  error = function(e) { message("GEE failed: ", conditionMessage(e)); NULL })
  if (is.null(fit)) return(NULL)
  a <- anova(fit)
  count(nrow(a))
  list(p = setNames(a[["P(>|Chi|)"]], rownames(a)), wald = setNames(a[["X2"]], rownames(a)))
}

# MMRM of the change from baseline on observed post-baseline records:
# arm * visit + baseline, unstructured covariance (corSymm + varIdent), REML.
mmrm_fit <- function(rows, subject_arm, baseline) {
  s <- adlb_subject[rows]
  v <- match(lb_visit[rows], VISITS)
  keep <- v > 1 & !is.na(baseline[s])
  s <- s[keep]
  v <- v[keep]
  y <- lb_aval[rows][keep] - baseline[s]
  present <- sort(unique(v))
  d <- data.frame(id = s, vnum = match(v, present), visit = factor(v, levels = present),
                  chg = y, base = baseline[s],
                  arm = factor(ARMS[subject_arm[s]], levels = c(REF, setdiff(ARMS, REF))))
  d <- d[order(d$id, d$vnum), ]
  # nlme's default optimizer (nlminb) can stop with "false convergence" on
  # large data; the usual remedy is to refit with optim (BFGS). Both fits
  # count in the time: that is what an R user pays for the estimate.
  fit_with <- function(control) {
    tryCatch(gls(chg ~ arm * visit + base, data = d,
                 correlation = corSymm(form = ~ vnum | id),
                 weights = varIdent(form = ~ 1 | visit), method = "REML", control = control),
             error = function(e) {
               message("MMRM (", control$opt, ") failed: ", conditionMessage(e))
               key$mmrm_errors <<- c(key$mmrm_errors, paste0(control$opt, ": ", conditionMessage(e)))
               NULL
             })
  }
  fit <- fit_with(glsControl())
  key$mmrm_optimizer <<- "nlminb"
  if (is.null(fit)) {
    fit <- fit_with(glsControl(opt = "optim"))
    key$mmrm_optimizer <<- "optim (BFGS) after nlminb failed"
  }
  if (is.null(fit)) {
    key$mmrm_optimizer <<- "none converged"
    return(NULL)
  }
  beta <- coef(fit)
  V <- vcov(fit)
  df <- fit$dims$N - fit$dims$p
  res <- list()
  for (a in setdiff(ARMS, REF)) {
    for (j in seq_along(present)) {
      L <- setNames(numeric(length(beta)), names(beta))
      L[paste0("arm", a)] <- 1
      if (j > 1) L[paste0("arm", a, ":visit", present[j])] <- 1
      est <- sum(L * beta)
      se <- sqrt(drop(t(L) %*% V %*% L))
      tq <- qt(1 - (1 - CONF) / 2, df)
      res[[paste(a, VISIT_LABELS[present[j]])]] <- list(
        estimate = est, se = se, lower = est - tq * se, upper = est + tq * se,
        p_value = 2 * pt(-abs(est / se), df))
      count()
    }
  }
  res
}

mmrm_inputs <- list()
for (l in LONGITUDINAL) {
  step(paste("longitudinal", l$paramcd), {
    subject_arm <- arms_in(l$pop, FALSE)
    base_rows <- which(lb_param == l$paramcd & lb_anl & !is.na(subject_arm[adlb_subject]) &
                       lb_visit %in% VISITS)
    sets <- if (l$locf) "locf" else "observed"
    if (l$locf && l$observed) sets <- c(sets, "observed")
    mats <- list()
    baseline <- rep(NA_real_, length(ids))
    for (set in sets) {
      ok_type <- if (set == "locf") lb_dtype[base_rows] %in% c("", "LOCF") else lb_dtype[base_rows] == ""
      rows <- base_rows[ok_type]
      s <- adlb_subject[rows]
      v <- match(lb_visit[rows], VISITS)
      dup <- duplicated(cbind(s, v))
      if (any(dup)) stop(sprintf("ADLB row %d: a second analysis record for %s at AVISITN %s",
                                 rows[which(dup)[1]], ids[s[which(dup)[1]]], lb_visit[rows[which(dup)[1]]]))
      x <- lb_aval[rows]
      ok <- is.finite(x)
      s <- s[ok]
      v <- v[ok]
      subjects <- sort(unique(s))
      m <- matrix(NA_real_, length(subjects), length(VISITS))
      m[cbind(match(s, subjects), v)] <- x[ok]
      b <- lb_base[rows][ok]
      fill <- is.na(baseline[s]) & !is.na(b)
      baseline[s[fill & !duplicated(s[fill])]] <- b[fill & !duplicated(s[fill])]
      mats[[set]] <- list(m = m, subjects = subjects)
    }
    for (set in names(mats)) {
      no_base <- is.na(baseline[mats[[set]]$subjects])
      baseline[mats[[set]]$subjects[no_base]] <- mats[[set]]$m[no_base, 1]
    }
    primary <- mats[[sets[1]]]
    arm <- subject_arm[primary$subjects]
    kw <- by_visit(primary$m, arm, l$tests, FALSE)
    if (l$paramcd == "CD4") {
      key$cd4_locf_kw_week48_p <- kw[[which(VISITS == 48)]]$p_value
      key$cd4_locf_kw_week48_stat <- kw[[which(VISITS == 48)]]$statistic
    }
    if (l$change) {
      has_base <- !is.na(baseline[primary$subjects])
      chg <- primary$m[has_base, , drop = FALSE] - baseline[primary$subjects[has_base]]
      by_visit(chg, arm[has_base], l$tests, TRUE)
    }
    if (l$gee && l$tests) {
      p <- part(paste("GEE", l$paramcd, "AVAL"), gee_terms(primary$m, arm, primary$subjects, 1))
      if (l$paramcd == "CD4") {
        key$cd4_gee_arm_x_visit_p <- unname(p$p["arm:visit"])
        key$cd4_gee_arm_x_visit_wald <- unname(p$wald["arm:visit"])
      }
      if (l$change) {
        part(paste("GEE", l$paramcd, "CHG"),
             gee_terms(chg, arm[has_base], primary$subjects[has_base], 2))
      }
    }
    if ("observed" %in% names(mats) && sets[1] != "observed") {
      obs <- mats[["observed"]]
      kw <- by_visit(obs$m, subject_arm[obs$subjects], l$tests, FALSE)
      if (l$paramcd == "CD4") {
        key$cd4_observed_kw_week48_p <- kw[[which(VISITS == 48)]]$p_value
        key$cd4_observed_kw_week48_stat <- kw[[which(VISITS == 48)]]$statistic
      }
    }
    if (l$mmrm) {
      # Fitted last (below): by far the slowest step in R, so that a run
      # stopped by a time limit has timed every other step.
      mmrm_inputs[[l$paramcd]] <- list(
        rows = base_rows[lb_dtype[base_rows] == "" & is.finite(lb_aval[base_rows])],
        subject_arm = subject_arm, baseline = baseline)
    }
  })
}

# ---- time to immunological response -----------------------------------------

for (p in TTE) {
  step(paste("time to event", p), {
    subject_arm <- arms_in("itt", FALSE)
    rows <- which(txt(adtte$PARAMCD) == p & !is.na(subject_arm[adtte_subject]))
    aval <- num(adtte$AVAL[rows])
    cnsr <- num(adtte$CNSR[rows])
    if (any(is.na(aval) | aval < 0)) stop(sprintf("ADTTE %s: missing or negative AVAL", p))
    d <- data.frame(time = aval / TIME_DIVISOR, event = as.integer(cnsr == 0),
                    arm = factor(ARMS[subject_arm[adtte_subject[rows]]], levels = ARMS))
    fit <- survfit(Surv(time, event) ~ arm, data = d, conf.type = "log-log", conf.int = CONF)
    tab <- summary(fit)$table
    risk <- summary(fit, times = RISK_TIMES, extend = TRUE)$n.risk
    count(length(ARMS))
    lr <- survdiff(Surv(time, event) ~ arm, data = d)
    lr_p <- pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE)
    count()
    pair_p <- c()
    for (i in 1:(length(ARMS) - 1)) {
      for (j in (i + 1):length(ARMS)) {
        dd <- d[d$arm %in% ARMS[c(i, j)], ]
        r <- survdiff(Surv(time, event) ~ arm, data = dd)
        pair_p[paste(ARMS[i], "vs", ARMS[j])] <- pchisq(r$chisq, 1, lower.tail = FALSE)
        count()
      }
    }
    adj <- p.adjust(pair_p, "bonferroni")
    if (p == "RESP30") {
      key$resp30_logrank_p <- lr_p
      key$resp30_logrank_chisq <- lr$chisq
      key$resp30_median_weeks <- setNames(as.list(unname(tab[, "median"])), ARMS)
    }
  })
}

# ---- adverse events ----------------------------------------------------------

step("adverse events", {
  arm_a <- arms_in("safety", TRUE)
  a <- arm_a[adae_subject]
  keep <- !is.na(a) & flag(adae$TRTEMFL)
  ae <- data.table(s = adae_subject[keep], arm = a[keep],
                   soc = txt(adae$AEBODSYS[keep]), pt = txt(adae$AEDECOD[keep]),
                   grade = num(adae$ATOXGRN[keep]), serious = flag(adae$AESER[keep]))
  ae[soc == "", soc := "Not coded"]
  ae[pt == "", pt := "Not coded"]
  n <- n_saf_actual
  row_test <- function(subj_arm) {
    counts <- tabulate(subj_arm, length(ARMS))
    cat_test(cbind(counts, n - counts))
  }
  uniq_arm <- function(d) unique(d, by = "s")$arm
  any_test <- row_test(uniq_arm(ae))
  key$ae_any_p <- any_test$p_value
  key$ae_any_chisq <- any_test$statistic
  row_test(uniq_arm(ae[grade >= 3]))
  row_test(uniq_arm(ae[serious == TRUE]))
  for (g in AE_GROUPS) row_test(uniq_arm(ae[tolower(pt) %in% tolower(g)]))
  by_soc <- unique(ae, by = c("soc", "s"))[, .(counts = list(tabulate(arm, length(ARMS)))), by = soc]
  by_pt <- unique(ae, by = c("soc", "pt", "s"))[, .(counts = list(tabulate(arm, length(ARMS)))),
                                                 by = .(soc, pt)]
  for (cnt in c(by_soc$counts, by_pt$counts)) cat_test(cbind(cnt, n - cnt))
})

step("laboratory thresholds", {
  arm_a <- arms_in("safety", TRUE)[adlb_subject]
  ablfl <- flag(adlb$ABLFL)
  anrhi <- num(adlb$ANRHI)
  post <- !is.na(arm_a) & !ablfl & lb_dtype == "" & !(lb_visit <= 0 & !is.na(lb_visit))
  for (t in LAB_THRESHOLDS) {
    rows <- which(post & lb_param == t$paramcd)
    hit <- if (!is.null(t$at_least)) {
      !is.na(lb_aval[rows]) & lb_aval[rows] >= t$at_least
    } else {
      !is.na(lb_aval[rows]) & !is.na(anrhi[rows]) & lb_aval[rows] > t$uln_multiple * anrhi[rows]
    }
    s <- adlb_subject[rows]
    first <- !duplicated(s)
    evaluable <- tabulate(arm_a[rows][first], length(ARMS))
    hs <- !duplicated(s[hit])
    flagged <- tabulate(arm_a[rows][hit][hs], length(ARMS))
    cat_test(cbind(flagged, evaluable - flagged))
  }
})

# ---- listings ------------------------------------------------------------------

step("listing: unscheduled laboratory records", {
  arm <- arms_in("safety", FALSE)[adlb_subject]
  rows <- which(txt(adlb$AVISIT) == "UNSCHEDULED" & !is.na(arm))
  rows <- rows[order(arm[rows], ids[adlb_subject[rows]], rows, method = "radix")]
  listing <- adlb[rows, .(USUBJID, PARAMCD, ADY, AVAL, AVALC, ANRIND)]
  listing <- listing[, lapply(.SD, txt)]
  listing[, ARM := ARMS[arm[rows]]]
  count()
})

# ---- the MMRMs of the longitudinal blocks (nlme::gls) ---------------------------

# PEER_SKIP_MMRM=1 leaves the MMRM out: only to check the other numbers at a
# large size without the hour-long fit, never for a timing.
if (Sys.getenv("PEER_SKIP_MMRM") == "1") mmrm_inputs <- list()
for (p in names(mmrm_inputs)) {
  step(paste("MMRM", p, "(nlme::gls)"), {
    m <- mmrm_inputs[[p]]
    mm <- part(paste("MMRM", p), mmrm_fit(m$rows, m$subject_arm, m$baseline))
    if (p == "CD4" && !is.null(mm)) {
      key$cd4_mmrm_high_vs_placebo_week48 <- mm[["HIGH Week 48"]][c("estimate", "se", "p_value")]
    }
  })
}

message(sprintf("[peer.R %7.1fs] done: %d results", proc.time()[["elapsed"]] - t_start, n_results))
write_out("done")
