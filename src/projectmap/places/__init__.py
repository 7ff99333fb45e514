"""Places: the gazetteer, China's admin skeleton, the region, resolving, locating."""
