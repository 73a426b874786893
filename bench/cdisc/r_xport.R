# haven (and data.table for CSV) on the LB benchmark files.
#
#   Rscript r_xport.R RESULTS.jsonl TAG FORMAT read|write FILE [OUTFILE]
#
# FORMAT is `xpt` (haven::read_xpt / write_xpt, version 5) or `csv`
# (data.table::fread / fwrite, a reference point only). Timing is
# bench/peers/harness.R's protocol; writes time a frame read beforehand.
args <- commandArgs(trailingOnly = TRUE)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))))
source(file.path(here, "..", "peers", "harness.R"))
suppressPackageStartupMessages(library(haven))
out <- args[[1]]; size <- args[[2]]; fmt <- args[[3]]; op <- args[[4]]; file <- args[[5]]
rec <- recorder(out, "cdisc", size)

check <- function(df) {
  s <- df[["LBSTRESN"]]
  list(rows = nrow(df), stresn_sum = sum(s, na.rm = TRUE), stresn_missing = sum(is.na(s)),
       first_usubjid = as.character(df[["USUBJID"]][[1]]))
}

if (fmt == "xpt") {
  peer <- paste("haven", as.character(packageVersion("haven")), "xpt")
  read <- function() read_xpt(file)
} else {
  suppressPackageStartupMessages(library(data.table))
  setDTthreads(1)
  peer <- paste("data.table", as.character(packageVersion("data.table")), "csv")
  read <- function() fread(file, colClasses = list(character = "LBORRES"), na.strings = "")
}
if (op == "read") {
  res <- timed(read)
  rec$record(peer, "read", res, check(res$out),
             if (fmt == "xpt") "read_xpt into a tibble" else "fread, one thread")
} else {
  outfile <- args[[6]]
  df <- read()
  write <- if (fmt == "xpt") {
    function() write_xpt(df, outfile, version = 5, name = "LB")
  } else {
    function() fwrite(df, outfile)
  }
  res <- timed(write)
  rec$record(peer, "write", res, list(rows = nrow(df), bytes = file.size(outfile)),
             if (fmt == "xpt") "write_xpt version 5 (labels kept from the read)" else "fwrite, one thread")
  invisible(file.remove(outfile))
}
