"""Curating the gazetteer: check, import, fetch from OSM, geocode."""
