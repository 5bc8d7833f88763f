"""jtdj serve: the read-only web view on Datasette (the plugin, its pages, the copy served)."""
