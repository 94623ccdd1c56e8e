"""Layer 9, ``docs``: generators of the documentation (the props reference, the diagram).

May import: every layer below, ``config_file`` included. Only ``cli`` sits above.
"""
