# Reference outputs of the R `surveillance` package for the Python detection algorithms.
# Usage: Rscript make_reference.R [OUTPUT_DIR]   (Debian: apt-get install r-cran-surveillance)
# Writes series_<name>.csv (count) and <name>_<method>.csv (position, observed, expected, threshold, alarm);
# positions count from 1, as in R. Series carry no dates (epochAsDate = FALSE), so reference weeks are
# `freq` positions back, as the Python implementation takes them.
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else {
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  dirname(normalizePath(sub("^--file=", "", file_arg)))
}

write_ref <- function(name, method, range, observed, expected, threshold, alarm) {
  df <- data.frame(position = range, observed = observed, expected = expected,
                   threshold = threshold, alarm = as.integer(alarm))
  write.csv(df, file.path(out, sprintf("%s_%s.csv", name, method)), row.names = FALSE, na = "NA")
}

series <- list()
data(salmNewport)
series$salmnewport <- list(x = as.vector(rowSums(observed(salmNewport))), freq = 52)
data(ha)
series$hepatitis_a <- list(x = as.vector(rowSums(ha$observed)), freq = 52)
set.seed(2019)
n <- 6 * 52
t <- seq_len(n)
weekly <- rpois(n, 20 * exp(0.5 * sin(2 * pi * t / 52)))
weekly[n - 3] <- weekly[n - 3] + 25  # an outbreak four weeks before the end
weekly[n] <- weekly[n] + 30
series$synthetic_weekly <- list(x = weekly, freq = 52)
days <- 400
d <- seq_len(days)
daily <- rpois(days, 6 + 2 * sin(2 * pi * d / 7))
daily[days - 10] <- daily[days - 10] + 15
series$synthetic_daily <- list(x = daily, freq = 365)

for (name in names(series)) {
  x <- series[[name]]$x
  freq <- series[[name]]$freq
  write.csv(data.frame(count = x), file.path(out, sprintf("series_%s.csv", name)), row.names = FALSE)
  s <- sts(observed = matrix(x, ncol = 1), frequency = freq, start = c(2000, 1))
  for (method in c("C1", "C2", "C3")) {
    r <- earsC(s, control = list(method = method))
    range <- r@control$range
    write_ref(name, tolower(method), range, observed(r)[, 1], NA, upperbound(r)[, 1], alarms(r)[, 1])
  }
  start <- floor(length(x) / 2)
  range <- start:length(x)
  cu <- algo.cusum(suppressWarnings(create.disProg(week = seq_along(x), observed = x, state = rep(0, length(x)), freq = freq)),
                   control = list(range = range))
  write_ref(name, "cusum", range, x[range], cu$control$m, as.vector(cu$upperbound), as.vector(cu$alarm))
  if (freq == 52) {
    noufaily <- list(noPeriods = 10, b = 5, w = 3, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
                     pThresholdTrend = 1, trend = TRUE, thresholdMethod = "nbPlugin", alpha = 0.05,
                     glmWarnings = FALSE)
    original <- list(b = 5, w = 3, glmWarnings = FALSE)  # R's defaults: the 1996 method with its delta rule
    for (variant in c("farrington", "farrington_original")) {
      control <- if (variant == "farrington") noufaily else original
      if (length(x) < freq * 5 + 4) next
      range <- (freq * 5 + 3 + 1):length(x)
      r <- farringtonFlexible(s, control = c(control, list(range = range)))
      write_ref(name, variant, range, observed(r)[, 1], r@control$expected[, 1],
                upperbound(r)[, 1], alarms(r)[, 1])
    }
  }
}
