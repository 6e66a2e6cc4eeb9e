<?php
// Loads WordPress from a docroot (argv[1]) for a command-line script, as a request to its home.
if (PHP_SAPI !== 'cli') {
    exit(1);
}
$docroot = $argv[1];
$config = file_get_contents($docroot . '/wp-config.php');
preg_match("/define\\( *'WP_HOME', *'([^']+)'/", $config, $home);
$_SERVER['HTTP_HOST'] = parse_url($home[1], PHP_URL_HOST) . ':' . parse_url($home[1], PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_METHOD'] = 'GET';

// No mail leaves this machine: the install's "new site" notice goes nowhere (a pluggable
// function, defined before WordPress defines its own).
function wp_mail($to, $subject, $message, $headers = '', $attachments = array())
{
    return true;
}

define('WP_INSTALLING', true);
require $docroot . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

function set_options(array $options): void
{
    foreach ($options as $name => $value) {
        update_option($name, $value);
    }
}
