# made-up test file
_specialized_opmap = {
    'TO_BOOL_LIST': 200,
    'BINARY_OP_ADD_INT': 150,
    'LOAD_FAST__LOAD_FAST': 151,
}
