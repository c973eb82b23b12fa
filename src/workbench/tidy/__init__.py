"""Official files and experts' inputs turned into checked tidy tables, and how to load them."""
