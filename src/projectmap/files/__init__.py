"""Safe file reading, atomic writes, output folders written whole, and their locks."""
