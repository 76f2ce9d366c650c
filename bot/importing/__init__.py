"""Reading actions out of minutes and action logs: readers per format, a layout detector, extractors.

`extract_actions(document, today)` turns a read document into typed candidate actions; the service in
`bot.services.importing` resolves their owners against a board and stores them.
"""
