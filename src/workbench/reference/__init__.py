"""What people write and declare: registries, the indicator framework, origins, parameters, translations and number formats."""
