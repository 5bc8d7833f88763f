"""The compiled catalogues (jtdj/locales/*.json, read at run time) match their TOML sources.

After editing a catalogue run `python -m jtdj.i18n` to compile it again.
"""

from jtdj.i18n import LOCALES_DIR, available_languages, catalogue, source_catalogue


def test_every_catalogue_is_compiled_and_up_to_date():
    languages = available_languages()
    assert {"zh", "en"} <= set(languages)
    for lang in languages:
        assert (LOCALES_DIR / f"{lang}.json").exists(), f"run: python -m jtdj.i18n ({lang})"
        catalogue.cache_clear()
        assert catalogue(lang) == source_catalogue(lang), f"run: python -m jtdj.i18n ({lang})"
