"""The Cox proportional-hazards risk model: covariates, fitting, model store, prediction."""
