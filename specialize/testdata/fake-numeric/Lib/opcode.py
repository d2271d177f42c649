# made-up test file
opname = ['<%r>' % (op,) for op in range(256)]
def_op('CACHE', 0)
def_op('POP_TOP', 1)
name_op('LOAD_ATTR', 4)
jrel_op('FOR_ITER', 6)
pseudo_op('SETUP_FINALLY', 256, ['NOP'])

_specializations = {
    "LOAD_ATTR": [
        # a comment with "QUOTED" text
        "LOAD_ATTR_SLOT",
        "LOAD_FAST__LOAD_FAST",
    ],
    "FOR_ITER": ["FOR_ITER_LIST"],
}
_specialized_instructions = [
    opcode for family in _specializations.values() for opcode in family
]
