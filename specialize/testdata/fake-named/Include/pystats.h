/* made-up test file: the 3.13+ summarizer reads cpython/pystats.h instead */
#define EVAL_CALL_WRONG 7
