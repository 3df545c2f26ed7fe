"""The course around the notebooks: their catalogue, navigation, site, student copies and solutions."""
