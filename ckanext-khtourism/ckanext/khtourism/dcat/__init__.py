"""DCAT-AP 3 publishing: the ``khtourism`` RDF profile, the record-type SKOS
scheme, the registry datasets and their CSV/GeoJSON exports, and the guards
that keep private data out of every RDF output."""
