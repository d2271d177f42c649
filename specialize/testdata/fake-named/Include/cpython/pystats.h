/* made-up test file */
#define EVAL_CALL_TOTAL 0
#define EVAL_CALL_KINDS 1
