"""Output: the GeoJSON, CSV and GeoPackage files and the map."""
