"""ckanext-harvest harvesters of the Khánh Hòa tourism portal (installed as ckanext.khtourism.harvesters)."""
