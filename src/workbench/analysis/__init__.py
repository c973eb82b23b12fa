"""Pure computations on tidy tables: indicators, profile tables, comparisons, themes, briefs."""
