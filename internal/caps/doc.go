// Package caps holds Linux capability names, libvirt's default LXC
// capability policy and the code that applies it to the container init.
//
// The package is split, as everywhere in virtlxc, into a pure plan and a
// thin apply step:
//
//   - [Plan] turns `<features><capabilities policy=…>` into the [Set] of
//     capabilities the container keeps. It mirrors the decision logic of
//     libvirt's lxcContainerDropCapabilities (src/lxc/lxc_container.c) and
//     needs no privileges, so it is table-tested.
//   - [Apply] makes the calling thread hold exactly that set (bounding,
//     effective, permitted and inheritable; ambient cleared) just before the
//     container init is exec'd. [DropAll] empties every set, which the
//     controller does to itself once its setup is finished.
//
// Capabilities are per-thread kernel state: [Apply] and [DropAll] only
// affect the OS thread they run on, so callers must follow the thread rules
// in the package comments of those functions.
package caps
