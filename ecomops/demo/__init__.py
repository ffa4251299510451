"""The demo company (``ecomops demo``, ``make run``): one module per area, built through each app's
actions as an administrator would. ``org`` builds the company and calls the others in order.

This app has no models; it sits above every other app (the top layer), which may never import it.
"""
