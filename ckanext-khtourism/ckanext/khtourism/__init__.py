"""ckanext-khtourism: the Khánh Hòa open tourism-data portal."""
