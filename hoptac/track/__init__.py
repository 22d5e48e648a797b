"""Follow-up tracking: cooperation programs followed across the articles that report their life.

``sync`` turns agreement facts into programs and attaches later articles to them (with the
rules of ``link``); ``record`` reads a program back; ``edit`` is what analysts change;
``monitor`` judges, against a reference date, what a program promised and did not show;
``feeds`` and ``report`` publish the result.
"""
