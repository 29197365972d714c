@sim @cloud @gateway
Feature: The master gateway serves waiting devices by request time, and a request over a threshold jumps to the front
  When no upgraded access node of a device's logical node has room, the device master gateway keeps its
  address request waiting. Room that appears goes to the waiting requests in order of request time, moved
  earlier by each request's priority: 1 s for each command waiting for the device (at most 10), 5 s for
  each device level, 2 s for each step of address priority (its "effective time"). A request whose
  pending-command count, device level or address priority is over its threshold jumps to the front;
  requests that jumped are served among themselves by effective time (docs/cloud.md §5.3, rule 4).
  Each scenario adds a logical node "gw-4" with one access node "gw-4.1" holding 5 devices, full with
  5 virtual devices; the devices of the table then ask one after the other, a few milliseconds apart, and
  wait. The devices on "gw-4.1" switch off one at a time: each frees one slot, served to the front request.
  The table's "served" column is the order QA expects; a device's pending commands are "ping" commands
  the vendor backend sent it before it asked.

  Background:
    Given the bench is powered on
    And the module is connected to its gateway node
    And logical node "gw-4" has an access node of version "1.0.0" holding 5 devices
    And 5 virtual devices of logical node "gw-4" are connected to the gateway cluster
    And the master gateway lets a request jump to the front when it is over one of these thresholds:
      | threshold        | over |
      | pending commands | 3    |
      | device level     | 1    |
      | address priority | 2    |

  Scenario: Nobody is over a threshold: the waiting devices are served by effective time
    When these devices of logical node "gw-4" ask the master gateway for an address, one after the other:
      | device | pending commands | device level | address priority | served |
      | dev-a  | 0                | 0            | 0                | 4      |
      | dev-b  | 3                | 0            | 0                | 3      |
      | dev-c  | 0                | 0            | 2                | 2      |
      | dev-d  | 0                | 1            | 0                | 1      |
    And the devices on access node "gw-4.1" switch off one at a time
    Then the master gateway served them in the table's order
    And every waiting device is connected to access node "gw-4.1"
    And every command sent through the gateway was answered exactly once

  Scenario: A late request over the pending-command threshold jumps to the front
    # Without the threshold dev-c (-4 s) would be served last, after dev-a (-9 s) and dev-b (-8 s).
    When these devices of logical node "gw-4" ask the master gateway for an address, one after the other:
      | device | pending commands | device level | address priority | served |
      | dev-a  | 0                | 1            | 2                | 2      |
      | dev-b  | 3                | 1            | 0                | 3      |
      | dev-c  | 4                | 0            | 0                | 1      |
    And the devices on access node "gw-4.1" switch off one at a time
    Then the master gateway served them in the table's order
    And every waiting device is connected to access node "gw-4.1"
    And every command sent through the gateway was answered exactly once

  Scenario: A late request over the device-level threshold jumps to the front
    # Without the threshold dev-c (-10 s) would be served last, after dev-a (-12 s) and dev-b (-11 s).
    When these devices of logical node "gw-4" ask the master gateway for an address, one after the other:
      | device | pending commands | device level | address priority | served |
      | dev-a  | 3                | 1            | 2                | 2      |
      | dev-b  | 2                | 1            | 2                | 3      |
      | dev-c  | 0                | 2            | 0                | 1      |
    And the devices on access node "gw-4.1" switch off one at a time
    Then the master gateway served them in the table's order
    And every waiting device is connected to access node "gw-4.1"
    And every command sent through the gateway was answered exactly once

  Scenario: A late request over the address-priority threshold jumps to the front
    # Without the threshold dev-c (-6 s) would be served last, after dev-b (-9 s) and dev-a (-8 s).
    When these devices of logical node "gw-4" ask the master gateway for an address, one after the other:
      | device | pending commands | device level | address priority | served |
      | dev-a  | 3                | 1            | 0                | 3      |
      | dev-b  | 0                | 1            | 2                | 2      |
      | dev-c  | 0                | 0            | 3                | 1      |
    And the devices on access node "gw-4.1" switch off one at a time
    Then the master gateway served them in the table's order
    And every waiting device is connected to access node "gw-4.1"
    And every command sent through the gateway was answered exactly once

  Scenario: Several requests over a threshold are served first, among themselves by effective time
    # Over a threshold: dev-e (-10 s), dev-d (-6 s), dev-b (-4 s); then dev-c (-9 s), under every threshold, and dev-a.
    When these devices of logical node "gw-4" ask the master gateway for an address, one after the other:
      | device | pending commands | device level | address priority | served |
      | dev-a  | 0                | 0            | 0                | 5      |
      | dev-b  | 4                | 0            | 0                | 3      |
      | dev-c  | 0                | 1            | 2                | 4      |
      | dev-d  | 0                | 0            | 3                | 2      |
      | dev-e  | 0                | 2            | 0                | 1      |
    And the devices on access node "gw-4.1" switch off one at a time
    Then the master gateway served them in the table's order
    And every waiting device is connected to access node "gw-4.1"
    And every command sent through the gateway was answered exactly once
