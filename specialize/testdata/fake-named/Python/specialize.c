/* made-up test file */
#define SPEC_FAIL_OTHER 0
#define SPEC_FAIL_TO_BOOL_LIST 10
#define SPEC_FAIL_NO_DICT 1
