/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmadiff vm: replay or fuzz inside qemu on any kernel image (vm.c).
 */
#ifndef VMADIFF_CLI_VM_H
#define VMADIFF_CLI_VM_H

/* The host side: packs an initramfs, boots it, prints what the VM ran. */
int cmd_vm(int argc, char **argv);
/* The guest side: pid 1 in that VM (rdinit=/vmadiff -- vm-init). */
int cmd_vm_init(int argc, char **argv);

#endif
