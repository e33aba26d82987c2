"""The tone guard's rules, one module a language, each a ``RULES`` tuple of ``base.Rule``.

``responder.tone`` maps language codes to these tables and runs them; ``base`` holds what both build on. Apart from
the engine, each language's phrasings can be read, and changed against its labelled set
(``tests/test_responder_tone.py``), on their own.
"""
