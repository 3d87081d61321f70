/*
 * Virtqueue notifications of virtio devices on the PCI bus, by the device's PCI vendor, device,
 * class and subclass: "kick" when the guest tells the device there is new work, "interrupt"
 * when the device signals completed work. On a VM this shows which paravirtual disk, network
 * card or file system share is busy.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

enum notification_kind {
	NOTIFY_KICK = 0,
	NOTIFY_INTERRUPT = 1,
};

/* The numbers the pci_* decoders take: vendor, vendor << 16 | device, class, class << 8 | subclass. */
struct pci_notification_key {
	__u32 kind;
	__u32 vendor;
	__u32 device;
	__u16 class;
	__u16 subclass;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct pci_notification_key);
	__type(value, __u64);
} virtio_pci_notifications_total SEC(".maps");

static __always_inline void count(struct virtqueue *vq, __u32 kind)
{
	struct pci_notification_key key = { .kind = kind };
	struct device *parent = BPF_CORE_READ(vq, vdev, dev.parent);
	const char *bus_name;
	struct pci_dev *pdev;
	char bus[4] = {};
	__u16 vendor;
	__u32 class;

	if (!parent)
		return;
	/* virtio also runs over MMIO and CCW: only a parent on the "pci" bus is a struct pci_dev. */
	bus_name = BPF_CORE_READ(parent, bus, name);
	if (!bus_name || bpf_probe_read_kernel_str(bus, sizeof(bus), bus_name) != 4)
		return;
	if (bus[0] != 'p' || bus[1] != 'c' || bus[2] != 'i')
		return;
	pdev = (void *)parent - bpf_core_field_offset(struct pci_dev, dev);

	vendor = BPF_CORE_READ(pdev, vendor);
	class = BPF_CORE_READ(pdev, class); /* base class << 16 | subclass << 8 | prog-if */
	key.vendor = vendor;
	key.device = (__u32)vendor << 16 | BPF_CORE_READ(pdev, device);
	key.class = class >> 16;
	key.subclass = class >> 8;
	counter_add(&virtio_pci_notifications_total, &key, 1);
}

/* The virtio-pci transport's notify callback: only ever called for PCI virtqueues. */
SEC("kprobe/vp_notify")
int BPF_KPROBE(vp_notify, struct virtqueue *vq)
{
	count(vq, NOTIFY_KICK);
	return 0;
}

/* Per-virtqueue interrupt handler of every transport (MSI-X vector or shared INTx). */
SEC("kprobe/vring_interrupt")
int BPF_KPROBE(vring_interrupt, int irq, void *vq)
{
	count(vq, NOTIFY_INTERRUPT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
