/* made-up test file */
#define SPEC_FAIL_OTHER 0
#define SPEC_FAIL_NO_DICT 1

#define SPEC_FAIL_LOAD_GLOBAL_NON_DICT 17
    #define SPEC_FAIL_ATTR_SHADOWED   9
#define SPEC_FAIL_SUBSCR_LIST_SLICE 9
#define SPEC_FAILURE_NOT_A_KIND 3
// #define SPEC_FAIL_COMMENTED 4
#define SPECIALIZATION_FAIL(opcode, kind) ((void)0)
