# Fit a Cox model with R survival::coxph (Efron ties) and its cox.zph proportional-hazards test
# for the cross-check in tests/test_r_crosscheck.py.
# Usage: Rscript coxph_fit.R design.csv out.csv zph.csv
# design.csv: columns os_days, death, then one 0/1 column per covariate.
# out.csv: name, coef, se (one row per covariate).
# zph.csv: name, chisq, df, p of cox.zph(transform = "rank", terms = FALSE), last row GLOBAL.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1], check.names = FALSE)
covariates <- setdiff(names(data), c("os_days", "death"))
formula <- as.formula(
  paste("Surv(os_days, death) ~", paste(sprintf("`%s`", covariates), collapse = " + "))
)
fit <- coxph(formula, data = data, ties = "efron",
             control = coxph.control(eps = 1e-11, iter.max = 100))
out <- data.frame(name = covariates, coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))))
write.csv(out, args[2], row.names = FALSE, quote = FALSE)  # 15 significant digits
zph <- cox.zph(fit, transform = "rank", terms = FALSE)$table
write.csv(data.frame(name = c(covariates, "GLOBAL"), chisq = zph[, "chisq"], df = zph[, "df"],
                     p = zph[, "p"]), args[3], row.names = FALSE, quote = FALSE)
