# Reference outputs of the R `surveillance` package for the Python detection algorithms.
# Usage: Rscript make_reference.R [OUTPUT_DIR]   (Debian: apt-get install r-cran-surveillance)
# Writes series_<name>.csv (date,count for a dated series, count alone otherwise) and <name>_<method>.csv
# (position, observed, expected, threshold, alarm); positions count from 1, as in R.
# The package's example series and two synthetic ones carry no dates (epochAsDate = FALSE: reference weeks
# are `freq` positions back); the negative binomial series with trend and season are dated
# (epochAsDate = TRUE: reference points by calendar date), as analysts' CSVs are.
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

# Dated negative binomial series with a trend and a yearly season (and a weekly one for days), some with
# outbreaks; the first days differ in weekday and leap years, which move the calendar reference points.
nb_weekly <- function(seed, first, years = 6, outbreaks = integer(0)) {
  set.seed(seed)
  n <- years * 52
  t <- seq_len(n)
  x <- rnbinom(n, mu = exp(2.5 + 0.4 * sin(2 * pi * t / 52) + 0.002 * t), size = 8)
  x[n - outbreaks] <- x[n - outbreaks] + 25
  list(x = x, freq = 52, dates = seq(as.Date(first), by = "week", length.out = n))
}
nb_daily <- function(seed, first, n, outbreaks = integer(0)) {
  set.seed(seed)
  t <- seq_len(n)
  x <- rnbinom(n, mu = exp(1.5 + 0.4 * sin(2 * pi * t / 365) + 0.3 * sin(2 * pi * t / 7) + 0.0003 * t), size = 5)
  x[n - outbreaks] <- x[n - outbreaks] + 15
  list(x = x, freq = 365, dates = seq(as.Date(first), by = "day", length.out = n))
}
series$nb_weekly_1 <- nb_weekly(1, "2019-01-07")
series$nb_weekly_2 <- nb_weekly(2, "2018-12-30", outbreaks = c(0, 6, 20))
series$nb_weekly_3 <- nb_weekly(3, "2015-01-01", years = 7, outbreaks = c(2, 30))
series$nb_daily_1 <- nb_daily(11, "2020-06-01", 1280, outbreaks = c(3, 40))
series$nb_daily_2 <- nb_daily(12, "2021-01-01", 1250)

# farringtonFlexible settings: R's defaults (the 1996 method, delta rule) with b = 5 or 3, with and without
# the trend, and the improved method of Noufaily et al. (2013) with b = 5 or 3
r_default <- list(w = 3, glmWarnings = FALSE)
noufaily <- list(noPeriods = 10, w = 3, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
                 pThresholdTrend = 1, trend = TRUE, thresholdMethod = "nbPlugin", alpha = 0.05,
                 glmWarnings = FALSE)
farrington <- list(
  farrington = c(noufaily, list(b = 5)),
  farrington_original = c(r_default, list(b = 5)),
  farrington_b3 = c(r_default, list(b = 3)),
  farrington_b3_notrend = c(r_default, list(b = 3, trend = FALSE)),
  farrington_b3_noufaily = c(noufaily, list(b = 3))
)
cusum_variants <- list(
  cusum = list(), cusum_rossi = list(trans = "rossi"), cusum_anscombe = list(trans = "anscombe"),
  cusum_anscombe2nd = list(trans = "anscombe2nd"), cusum_pearsonnegbin = list(trans = "pearsonNegBin"),
  cusum_anscombenegbin = list(trans = "anscombeNegBin", alpha = 0.2), cusum_none = list(trans = "none"),
  cusum_glm = list(m = "glm"), cusum_glm_rossi = list(m = "glm", trans = "rossi"),
  cusum_glm_pearsonnegbin = list(m = "glm", trans = "pearsonNegBin")
)

for (name in names(series)) {
  x <- series[[name]]$x
  freq <- series[[name]]$freq
  dates <- series[[name]]$dates
  dated <- !is.null(dates)
  if (dated) {
    write.csv(data.frame(date = format(dates), count = x), file.path(out, sprintf("series_%s.csv", name)),
              row.names = FALSE)
    s <- sts(observed = x, epoch = as.numeric(dates), epochAsDate = TRUE, frequency = freq)
  } else {
    write.csv(data.frame(count = x), file.path(out, sprintf("series_%s.csv", name)), row.names = FALSE)
    s <- sts(observed = matrix(x, ncol = 1), frequency = freq, start = c(2000, 1))
  }
  for (method in c("C1", "C2", "C3")) {
    r <- earsC(s, control = list(method = method))
    range <- r@control$range
    write_ref(name, tolower(method), range, observed(r)[, 1], NA, upperbound(r)[, 1], alarms(r)[, 1])
  }
  start <- floor(length(x) / 2)
  range <- start:length(x)
  disprog <- suppressWarnings(create.disProg(week = seq_along(x), observed = x, state = rep(0, length(x)),
                                             freq = freq))
  for (variant in names(cusum_variants)) {
    cu <- algo.cusum(disprog, control = c(list(range = range), cusum_variants[[variant]]))
    write_ref(name, variant, range, x[range], cu$control$m, as.vector(cu$upperbound), as.vector(cu$alarm))
  }
  for (variant in names(farrington)) {
    control <- farrington[[variant]]
    first <- freq * control$b + control$w + 1  # R's default range start
    if (length(x) < first + 4) next
    if (dated) {
      # dated reference points may fall before the series start: R stops there, so start where it does not
      while (inherits(try(farringtonFlexible(s, control = c(control, list(range = first))), silent = TRUE),
                      "try-error")) first <- first + 1
    }
    range <- first:length(x)
    r <- farringtonFlexible(s, control = c(control, list(range = range)))
    write_ref(name, variant, range, observed(r)[, 1], r@control$expected[, 1],
              upperbound(r)[, 1], alarms(r)[, 1])
  }
}
