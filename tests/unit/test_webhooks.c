/* Unit tests of webhook signing and the retry schedule. The expected signature was computed
 * independently (Python's hmac module) over timestamp "." body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "control/internal.h"
#include <dealwright/dealwright.h>

static void sign_known(void **state) {
    (void)state;
    char sig[DW_WEBHOOK_SIG_HEX];
    assert_int_equal(dw_webhook_sign("whsec_test_secret_0123", "1700000000",
                                     "{\"seq\":1,\"type\":\"lead.received\"}", sig),
                     0);
    assert_string_equal(sig, "0a571bf1b6b89ccd47a101813358087654110a32acc94ef311bd587fc193dba6");
}

static void sign_depends_on_everything(void **state) {
    (void)state;
    char a[DW_WEBHOOK_SIG_HEX], b[DW_WEBHOOK_SIG_HEX];
    dw_webhook_sign("whsec_test_secret_0123", "1700000000", "{}", a);
    dw_webhook_sign("whsec_test_secret_0124", "1700000000", "{}", b);
    assert_string_not_equal(a, b);
    dw_webhook_sign("whsec_test_secret_0123", "1700000001", "{}", b);
    assert_string_not_equal(a, b);
    dw_webhook_sign("whsec_test_secret_0123", "1700000000", "{ }", b);
    assert_string_not_equal(a, b);
    /* the signed text is timestamp "." body and nothing else: the same text signs the same,
     * which is why a receiver takes the timestamp from its header (digits only) */
    dw_webhook_sign("k_0123456789abcdef", "1.23", "4", a);
    dw_webhook_sign("k_0123456789abcdef", "1", "23.4", b);
    assert_string_equal(a, b);
}

static void backoff_doubles_with_jitter(void **state) {
    (void)state;
    for (int i = 0; i < 200; i++) {
        int64_t d1 = dw_webhook_backoff_ms(1, 1000), d3 = dw_webhook_backoff_ms(3, 1000);
        assert_true(d1 >= 1000 && d1 <= 1500);
        assert_true(d3 >= 4000 && d3 <= 6000);
        int64_t big = dw_webhook_backoff_ms(40, 1000);
        assert_true(big >= 3600 * 1000 && big <= 5400 * 1000);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_known),
        cmocka_unit_test(sign_depends_on_everything),
        cmocka_unit_test(backoff_doubles_with_jitter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
