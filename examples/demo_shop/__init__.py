"""demo-shop: a tiny web shop whose speed and faults depend on the release it pretends to be.

It exists so that reportgen has real tool output to demonstrate itself with (see ``examples/README.md``).
"""
