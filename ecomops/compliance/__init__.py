"""Content compliance (LAW-02, CAT-02): the barred-term list, the allow-list and the content check.

- ``models``: ``BarredTerm`` (a term the Advertising Law bars, with its category, the reason shown
  to people and a severity) and ``AllowedPhrase`` (a phrase a reviewer cleared: a registered
  trademark, a product name, a grade defined by a standard, a usage tip, for everyone or for one
  client). Both are data the compliance owner maintains; every change is in the audit history.
- ``checker.check(text, client=...)``: every hit with the term, the matched text, its position in
  the text as given, the category and the reason. A hit sends the content to human review; nothing
  here rejects anything (LAW-02: flag, never silently reject).
- ``actions``: the only code that changes the lists; views, API, CLI and the seed call it.
"""
