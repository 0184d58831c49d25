"""Commercial licences (issue 10): a licence is a PermitType that uses activities. This
package holds what is particular to them: the outside registries a licence is checked against,
the checks themselves, activities and the self-declaration, the instant path's settlement and
the sampling of instantly issued licences for an inspection afterwards.

Imported by PermitsConfig.ready() so that its prerequisites, settler and tasks register.
"""
