"""The project's date and number formats (settings.FORMAT_MODULE_PATH), one module per locale.

Django looks a locale's formats up before the settings' DATE_FORMAT & co., so those settings are
ignored for a language Django ships formats for; overriding them here is what takes effect. The
directory is named after the locale (translation.to_locale("zh-hans") == "zh_Hans").
"""
