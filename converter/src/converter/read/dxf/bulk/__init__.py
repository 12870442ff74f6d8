"""The DXF bulk path: simple entities tokenised with numpy instead of one ezdxf object each.

``lines`` cuts plain LINEs (two halves of ENTITIES on two cores), ``others`` the ARC/CIRCLE/TEXT/
INSERT/LWPOLYLINE records, ``dims`` the simple ``*D`` dimension blocks, and ``adder`` turns what
they found into plan primitives exactly as the ezdxf path would. Everything else goes to ezdxf.
"""
