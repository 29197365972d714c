/*
 * Reset and vector table for QEMU mps2-an385 (Cortex-M3). Interrupts used: SysTick (the millisecond
 * clock) and the RX interrupts of CMSDK UART0 and UART1 (IRQ 0 and 2 on the AN385), which wake the core
 * from WFI when a byte arrives.
 */
#include <stdint.h>

extern uint32_t __bss_start, __bss_end, __stack_top;
int main(void);
void reset_handler(void);
void hr_qemu_systick(void);
void hr_qemu_uart0_rx(void);
void hr_qemu_uart1_rx(void);
void hr_qemu_uart2_rx(void);

static void fault(void)
{
    for (;;) {
        __asm volatile("bkpt 0");
    }
}

static void ignore(void) {}

typedef void (*vector)(void);

__attribute__((section(".vectors"), used)) static const vector vectors[16 + 6] = {
    (vector)(uintptr_t)&__stack_top, /* initial SP */
    reset_handler,
    fault, /* NMI */
    fault, /* HardFault */
    fault, /* MemManage */
    fault, /* BusFault */
    fault, /* UsageFault */
    0, 0, 0, 0,
    ignore, /* SVCall */
    ignore, /* DebugMon */
    0,
    ignore, /* PendSV */
    hr_qemu_systick,
    hr_qemu_uart0_rx, /* IRQ 0: UART0 RX */
    ignore,           /* IRQ 1: UART0 TX */
    hr_qemu_uart1_rx, /* IRQ 2: UART1 RX */
    ignore,           /* IRQ 3: UART1 TX */
    hr_qemu_uart2_rx, /* IRQ 4: UART2 RX */
    ignore,           /* IRQ 5: UART2 TX */
};

void reset_handler(void)
{
    for (uint32_t *p = &__bss_start; p < &__bss_end; p++) *p = 0;
    (void)main();
    fault();
}
