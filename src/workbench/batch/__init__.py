"""Running notebooks in batch: tasks, engines, cache, manifest, lock, runner, lab, baseline."""
