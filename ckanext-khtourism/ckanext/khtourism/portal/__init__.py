"""The public portal: home page, navigation, statistics and developer pages."""
