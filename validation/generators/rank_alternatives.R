# Reference cases for the Wilcoxon tests beyond the shared files: all three
# alternatives, mu != 0, exact NULL/TRUE/FALSE, continuity on/off.
# Run with R 4.2.2 (jsonlite): Rscript rank_alternatives.R, then split
# cases.json by method into validation/cases/<method>_alternatives.json.
set.seed(5)
out <- list()
add <- function(method, id, input, res) out[[length(out)+1]] <<- list(method=method, id=id, input=input, expected=list(statistic=unname(res$statistic), p_value=res$p.value))
x <- round(rnorm(30), 1); y <- round(rnorm(25, 0.4), 1)
for (alt in c("two.sided","less","greater")) for (ex in list(NULL, TRUE, FALSE)) for (cc in c(TRUE,FALSE)) {
  r <- suppressWarnings(wilcox.test(x, y, mu=0.3, alternative=alt, exact=ex, correct=cc))
  add("mann_whitney", paste("mw", alt, length(ex), ex[1], cc, sep="_"), list(x=x,y=y,mu=0.3,alternative=alt,exact=if(is.null(ex)) NA else ex,correct=cc), r)
  x2 <- rnorm(20); y2 <- rnorm(17)
  r <- suppressWarnings(wilcox.test(x2, y2, alternative=alt, exact=ex, correct=cc))
  add("mann_whitney", paste("mw2", alt, length(ex), ex[1], cc, sep="_"), list(x=x2,y=y2,alternative=alt,exact=if(is.null(ex)) NA else ex,correct=cc), r)
  d <- round(rnorm(25, 0.3), 1)
  r <- suppressWarnings(wilcox.test(d, mu=0.2, alternative=alt, exact=ex, correct=cc))
  add("wilcoxon_signed_rank", paste("sr", alt, length(ex), ex[1], cc, sep="_"), list(x=d,mu=0.2,alternative=alt,exact=if(is.null(ex)) NA else ex,correct=cc), r)
  d <- rnorm(30, 0.3)
  r <- suppressWarnings(wilcox.test(d, alternative=alt, exact=ex, correct=cc))
  add("wilcoxon_signed_rank", paste("sr2", alt, length(ex), ex[1], cc, sep="_"), list(x=d,alternative=alt,exact=if(is.null(ex)) NA else ex,correct=cc), r)
}
jsonlite::write_json(out, "cases.json", digits=NA, auto_unbox=TRUE, na="null")
